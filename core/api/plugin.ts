/**
 * Plugin definitions. Built-in and third-party plugins register the same way: a module
 * (an npm package for third parties) exports one or more values made by `definePlugin`,
 * usually as `export const plugins = [...]` or a default export of an array.
 *
 * A third-party package declares `"sluice": { "role": "plugin" }` in its package.json and
 * this API as a peer dependency (`"peerDependencies": { "sluice": "^0.1.0" }`); the loader
 * checks that range against `API_VERSION`.
 */
import type { FieldSpec, Infer, ConfigIssue, ObjectSpec } from './spec.ts';
import type { Deps, Logger, ServiceRef } from './services.ts';
import type { StateDescriptor, StateHandles, StateBackend } from './state.ts';
import type { StreamInfo, KeySpec } from './stream.ts';
import type { OperatorInstance } from './operator.ts';
import type { ConsumerGroupPositions, SourceInstance } from './source.ts';
import type { SinkInstance, SinkInput } from './sink.ts';
import type { CheckpointStore } from './checkpoint.ts';
import type { ExpressionCompiler } from './expressions.ts';
import type { Codec } from './codec.ts';
import type { KeyedFunctionDefinition } from './keyed-function.ts';
import { PLUGIN_ERROR_CODE } from './errors.ts';
import type { InternalBlock, PartitionedSource, RepartitionOutputOptions } from './tasks.ts';

/** Version of this API. Plugins declare the range they support. */
export const API_VERSION = '0.1.0';

/** Brand on every definition, so the loader finds plugins among a package's exports. */
export const PLUGIN_BRAND = 'sluice.plugin/v1';

/**
 * `keyed_function`: user logic that `keyed_process` runs (core/api/keyed-function.ts); not
 * a block of its own, but named by a block's config (`function:`), found, version-checked and
 * documented like every other plugin.
 */
export type PluginKind = 'source' | 'operator' | 'sink' | 'state_store' | 'checkpoint_store' | 'keyed_function';

/** The services a plugin declares (`deps`), by the name `create` receives them under. */
export type DepsSpec = Record<string, ServiceRef<unknown>>;
/** An operator's keyed state, declared by name (`state`). */
export type StateSpec = Record<string, StateDescriptor>;

/** The fields every plugin definition has, whatever its kind. */
export interface PluginBase<K extends PluginKind, S extends FieldSpec, D extends DepsSpec> {
  readonly kind: K;
  /** snake_case; the key that selects the plugin in a block (`interval_join:`). */
  readonly name: string;
  /** One line, shown by `sluice plugins list`. */
  readonly summary: string;
  /** Longer Markdown docs, shown by `sluice plugins docs`. */
  readonly description?: string;
  readonly spec: S;
  /** Services the plugin needs, received typed in `create`. */
  readonly deps?: D;
  /** Extra checks on a config that passed its spec (cross-field rules). */
  readonly check?: (config: Infer<S>) => readonly ConfigIssue[];
  /**
   * The plugin's own error codes (UPPER_SNAKE_CASE), each with its doc: what went wrong and
   * what to do. Raised as `new PluginError(name, code, message)`, reported as `<name>.<code>`
   * (dead-letter reasons, job failures) and listed by `sluice plugins docs`.
   */
  readonly errors?: Readonly<Record<string, string>>;
}

/**
 * One task of a job that runs as tasks (`job.tasks`, docs/architecture.md §5): the slice of
 * the pipeline for partition `index` of its Kafka sources' topics, which all have `count`
 * partitions. A partitioned source reads only that partition; anything else reads as usual.
 */
export interface TaskSlice {
  /** `task-<index>`: names the task's checkpoints, consumer group and logs. */
  readonly id: string;
  readonly index: number;
  readonly count: number;
  /**
   * How long the job's task group waits for a silent process before its tasks move
   * (`job.task_session_timeout`). A source that keeps a group session of its own for the task
   * (a Kafka consumer group) keeps it no longer: a new owner's join would otherwise wait for the
   * dead process's session in that group to expire.
   */
  readonly sessionTimeoutMs?: number;
}

/** What every `create` receives. */
export interface CreateContext<C, D extends DepsSpec> {
  /** The block's id in the pipeline. */
  readonly id: string;
  readonly config: C;
  readonly deps: Deps<D>;
  readonly logger: Logger;
  /** The job's name. */
  readonly job: string;
  /**
   * The job was started with `--reset-state`: on a fresh start (no checkpoint position),
   * positions a plugin keeps outside the checkpoint — a Kafka group's committed offsets —
   * are ignored too. Absent means false.
   */
  readonly resetState?: boolean;
  /** Set when this instance runs one task of the job; absent when the job runs whole. */
  readonly task?: TaskSlice;
}

// ---- sources ----

export interface SourcePlan {
  /** Named outputs, when the source yields several streams; none means one main output. */
  readonly outputs?: readonly string[];
  /** Known fields per output (`''` for the main output), for CEL type-checking. */
  readonly fields?: Readonly<Record<string, StreamInfo['fields']>>;
}

/** What the exactly-once hooks of a definition receive: the block, before any instance exists. */
export interface BlockContext<C> {
  readonly id: string;
  readonly job: string;
  readonly config: C;
  readonly logger: Logger;
  /** Set when the block belongs to one task of the job (`job.tasks`). */
  readonly task?: TaskSlice;
}

export interface SourceDefinition<S extends FieldSpec = FieldSpec, D extends DepsSpec = DepsSpec> extends PluginBase<'source', S, D> {
  readonly plan?: (config: Infer<S>) => SourcePlan;
  /** Sources whose position is a Kafka consumer group's offsets: how to read and express them. */
  readonly consumerGroup?: (ctx: BlockContext<Infer<S>>) => ConsumerGroupPositions;
  /** Sources a job can be split by (`job.tasks`): one task per partition index of their topics (tasks.ts). */
  readonly tasks?: PartitionedSource<Infer<S>>;
  readonly create: (ctx: CreateContext<Infer<S>, D>) => SourceInstance | Promise<SourceInstance>;
}

// ---- operators ----

export interface OperatorPlan {
  /** How the operator keys each input; undefined for an input keeps the input stream's key. */
  readonly keys?: readonly (KeySpec | undefined)[];
  /** Indices of inputs that are broadcast (they do not hold back the watermark). */
  readonly broadcastInputs?: readonly number[];
  /** The main output stream. */
  readonly output: StreamInfo;
  /** Named outputs (e.g. `route`), addressed as `<id>.<name>`. */
  readonly outputs?: Readonly<Record<string, StreamInfo>>;
  /** Problems found while planning (bad keys, a lateness smaller than the input's). */
  readonly issues?: readonly ConfigIssue[];
}

export interface OperatorCreateContext<C, D extends DepsSpec, St extends StateSpec> extends CreateContext<C, D> {
  /** Handles to the state declared in `state`, scoped to the current key. */
  readonly state: StateHandles<St>;
  readonly expressions: ExpressionCompiler;
  /** What the planner knows about each input. */
  readonly inputs: readonly StreamInfo[];
}

export interface OperatorDefinition<
  S extends FieldSpec = FieldSpec,
  D extends DepsSpec = DepsSpec,
  St extends StateSpec = StateSpec,
> extends PluginBase<'operator', S, D> {
  /** Number of inputs accepted. */
  readonly inputs: { readonly min: number; readonly max: number };
  /** Keyed operators get `batch.keys`; lint rejects them when an input has no key. */
  readonly keyed: boolean;
  /**
   * The operator takes a key of one field whose value is a safe integer (or its canonical
   * decimal text) as a number (`StateKey`): `batch.keys`, `ctx.currentKey`, `onTimer`'s key
   * and the state tables hold `42`, not `"42"`. Same keys, cheaper at millions of them;
   * `keyText(key)` gives the string. Without it, every key is a string.
   */
  readonly integerKeys?: boolean;
  /** Stateful operators that are append-only consumers are rejected when fed an upsert stream. */
  readonly consumesUpserts?: boolean;
  /** Keyed state declared up front, by name. */
  readonly state?: (config: Infer<S>) => St;
  /** Describes output streams from the config and the inputs; pure, used by lint and the planner. */
  readonly plan: (config: Infer<S>, inputs: readonly StreamInfo[]) => OperatorPlan;
  readonly create: (ctx: OperatorCreateContext<Infer<S>, D, St>) => OperatorInstance;
}

// ---- sinks ----

export interface SinkCreateContext<C, D extends DepsSpec> extends CreateContext<C, D> {
  readonly input: SinkInput;
  readonly expressions: ExpressionCompiler;
  /** The block's codec (`codec: json | raw` beside the plugin key; json by default). */
  readonly codec: Codec;
}

/**
 * An exactly-once sink's writer as the runtime sees it before a restore. The sink commits
 * what it wrote between two checkpoints in one transaction together with the sources'
 * consumer-group offsets (`CompletedCheckpoint.sourceOffsets`), after the checkpoint's
 * manifest is committed; that commit is what makes the checkpoint the job's restore point.
 */
export interface ExactlyOnceWriter {
  /**
   * Fences every earlier incarnation of the writer and aborts what it left pending, so that
   * the groups' committed offsets read after it are final.
   */
  fence(): Promise<void>;
  /**
   * The id of the checkpoint whose transaction committed last, when the writer commits a
   * marker of it in every transaction (undefined: none committed yet). With it the restore
   * point is that checkpoint, and sources need no consumer group: the others restart from
   * its positions. Without it the restore point is found by the sources' group offsets.
   */
  committedCheckpoint?(): Promise<number | undefined>;
}

export interface SinkDefinition<S extends FieldSpec = FieldSpec, D extends DepsSpec = DepsSpec> extends PluginBase<'sink', S, D> {
  /**
   * The writer when this block is configured to write exactly once (else undefined). A
   * job has at most one such sink; when its writer has no `committedCheckpoint`, every
   * source must have `consumerGroup`.
   */
  readonly exactlyOnce?: (ctx: BlockContext<Infer<S>>) => ExactlyOnceWriter | undefined;
  /** The sink half of the repartition pair of a partitioned source of the same name (tasks.ts): the block writing a repartition topic. */
  readonly repartitionOutput?: (o: RepartitionOutputOptions) => InternalBlock<SinkDefinition>;
  readonly create: (ctx: SinkCreateContext<Infer<S>, D>) => SinkInstance | Promise<SinkInstance>;
}

// ---- stores ----

export interface StateStoreDefinition<S extends FieldSpec = FieldSpec, D extends DepsSpec = DepsSpec> extends PluginBase<'state_store', S, D> {
  readonly create: (ctx: CreateContext<Infer<S>, D>) => StateBackend | Promise<StateBackend>;
}

export interface CheckpointStoreDefinition<S extends FieldSpec = FieldSpec, D extends DepsSpec = DepsSpec>
  extends PluginBase<'checkpoint_store', S, D> {
  readonly create: (ctx: CreateContext<Infer<S>, D>) => CheckpointStore | Promise<CheckpointStore>;
}

export type PluginDefinition =
  | SourceDefinition<any, any>
  | OperatorDefinition<any, any, any>
  | SinkDefinition<any, any>
  | StateStoreDefinition<any, any>
  | CheckpointStoreDefinition<any, any>
  | KeyedFunctionDefinition<any, any>;

export type Branded<P> = P & { readonly brand: typeof PLUGIN_BRAND };

/**
 * Defines a plugin. The definition is returned as is, branded, with its types inferred
 * from `spec`, `deps` and `state`.
 */
export function definePlugin<S extends ObjectSpec, D extends DepsSpec = {}>(def: SourceDefinition<S, D>): Branded<SourceDefinition<S, D>>;
export function definePlugin<S extends ObjectSpec, D extends DepsSpec = {}, St extends StateSpec = {}>(
  def: OperatorDefinition<S, D, St>,
): Branded<OperatorDefinition<S, D, St>>;
export function definePlugin<S extends ObjectSpec, D extends DepsSpec = {}>(def: SinkDefinition<S, D>): Branded<SinkDefinition<S, D>>;
export function definePlugin<S extends ObjectSpec, D extends DepsSpec = {}>(def: StateStoreDefinition<S, D>): Branded<StateStoreDefinition<S, D>>;
export function definePlugin<S extends ObjectSpec, D extends DepsSpec = {}>(
  def: CheckpointStoreDefinition<S, D>,
): Branded<CheckpointStoreDefinition<S, D>>;
export function definePlugin<S extends ObjectSpec, St extends StateSpec = {}>(
  def: KeyedFunctionDefinition<S, St>,
): Branded<KeyedFunctionDefinition<S, St>>;
export function definePlugin(def: PluginDefinition): Branded<PluginDefinition> {
  for (const [code, doc] of Object.entries(def.errors ?? {})) {
    if (!PLUGIN_ERROR_CODE.test(code)) throw new Error(`${def.kind} '${def.name}': error code '${code}' is not UPPER_SNAKE_CASE`);
    if (typeof doc !== 'string' || doc.trim() === '') throw new Error(`${def.kind} '${def.name}': error code '${code}' has no doc`);
  }
  return Object.freeze({ ...def, brand: PLUGIN_BRAND });
}

export function isPluginDefinition(value: unknown): value is Branded<PluginDefinition> {
  return typeof value === 'object' && value !== null && (value as { brand?: unknown }).brand === PLUGIN_BRAND;
}
