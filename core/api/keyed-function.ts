/**
 * Keyed functions: user logic for `keyed_process` (Flink's KeyedProcessFunction), a plugin
 * kind (`keyed_function`) like sources and operators: branded, with a typed options spec,
 * exported by a plugin folder or package, found by the same loader (built-ins, packages
 * under `plugins:`, the package's API range checked), listed by `sluice plugins list` and
 * documented by `sluice plugins docs <name>`.
 *
 *   // a plugin package's index.ts
 *   export const firstTrigger = defineKeyedFunction({
 *     name: 'first_trigger',
 *     summary: "Emits each user's first activation per epoch once the watermark passes it.",
 *     spec: field.object({ epoch: field.duration({ doc: 'Epoch length.', default: '3d' }) }),
 *     state: () => ({ first: state.value<Row>() }),
 *     processElement(value, ctx) { … ctx.options.epoch (ms) … ctx.timers.registerEventTimeTimer(ctx.timestamp); },
 *     onTimer(timestamp, ctx) { ctx.emit(ctx.state.first.get()!, timestamp); },
 *   });
 *
 *   # pipeline
 *   first_triggers:
 *     input: activations
 *     keyed_process: { function: first_trigger, key: [user_id, experiment_id], options: { epoch: 3d } }
 *
 * `function:` is looked up at lint time among the loaded plugins of kind `keyed_function`
 * (unknown: `E_UNKNOWN_PLUGIN`), and `options:` is validated by the function's `spec` with
 * file, line and column like any plugin config; the function receives the parsed options
 * (defaults applied, durations in milliseconds). Nothing registers on import.
 */
import type { ConfigIssue, FieldSpec, Infer, ObjectSpec } from './spec.ts';
import type { ChangeKind, ProvenanceRef, Row } from './records.ts';
import type { StateDescriptor, StateHandles } from './state.ts';
import type { TimerService, TimeDomain } from './operator.ts';
import type { StreamInfo } from './stream.ts';
import { definePlugin, type Branded } from './plugin.ts';

/** What a keyed function sees for one element or timer. One object, reused: do not keep it. */
export interface KeyedProcessContext<St extends Record<string, StateDescriptor> = Record<string, StateDescriptor>, O = Record<string, unknown>> {
  /** The parsed options (the function's `spec` applied). */
  readonly options: O;
  /** Handles of the declared state, scoped to `key`. */
  readonly state: StateHandles<St>;
  /** The current key (serialised). */
  readonly key: string;
  /** Event time of the element, or the timer's timestamp. */
  readonly timestamp: number;
  /** Input index of the element (0 unless the block has several inputs); -1 in `onTimer`. */
  readonly input: number;
  /** Provenance of the element; undefined in `onTimer`. */
  readonly provenance: ProvenanceRef;
  /** Domain of the firing timer; undefined in `processElement`. */
  readonly domain: TimeDomain | undefined;
  readonly watermark: number;
  readonly timers: TimerService;
  processingTime(): number;
  /** Emits to the main output; time defaults to `timestamp`, provenance to the element's. */
  emit(value: Row, time?: number, kind?: ChangeKind, provenance?: ProvenanceRef): void;
  emitTo(output: string, value: Row, time?: number, kind?: ChangeKind, provenance?: ProvenanceRef): void;
  /** Sends the current element to the late output with `reason` (only in `processElement`). */
  late(reason: string): void;
  /** Sends any record to the late output (e.g. one held in state). */
  lateRecord(value: Row, time: number, reason: string, provenance?: ProvenanceRef): void;
  /** Dead-letters the current element (only in `processElement`). */
  fail(error: unknown): void;
  deadLetter(value: Row, error: unknown, provenance?: ProvenanceRef): void;
  count(name: string, delta?: number): void;
}

/** A keyed function's definition (plugin kind `keyed_function`); `spec` is its options' spec. */
export interface KeyedFunctionDefinition<S extends FieldSpec = FieldSpec, St extends Record<string, StateDescriptor> = Record<string, StateDescriptor>> {
  readonly kind: 'keyed_function';
  /** snake_case; what `function:` names. */
  readonly name: string;
  /** One line, shown by `sluice plugins list`. */
  readonly summary: string;
  /** Longer Markdown docs, shown by `sluice plugins docs`. */
  readonly description?: string;
  /** Spec of `options:`: validated at lint time, parsed values handed to the function. */
  readonly spec: S;
  /** Keyed functions take no services. */
  readonly deps?: undefined;
  /** Extra checks on options that passed their spec. */
  readonly check?: (options: Infer<S>) => readonly ConfigIssue[];
  /** Error codes of the function's own, by code: the doc of each (see `PluginBase.errors`). */
  readonly errors?: Readonly<Record<string, string>>;
  /** Keyed state, declared up front. */
  readonly state?: (options: Infer<S>) => St;
  /** Reason of the elements `keyed_process` sends to the late output before the function sees them (default `process_late`). */
  readonly lateReason?: string;
  /** Named outputs the function emits to. */
  readonly outputs?: readonly string[];
  /** Describes the main output (default: append, fields unknown). */
  readonly output?: (options: Infer<S>, input: StreamInfo) => Partial<StreamInfo>;
  /** Called for each element not late for the block (`ts ≥ W − allowed_lateness`). Throwing dead-letters the element. */
  processElement(value: Row, ctx: KeyedProcessContext<St, Infer<S>>): void;
  /** A timer of the current key fired. Throwing fails the job. */
  onTimer?(timestamp: number, ctx: KeyedProcessContext<St, Infer<S>>): void;
  /**
   * Called once after each input batch's elements (`input` is the batch's), with no current
   * element (`provenance` undefined; `state` must not be used): emits what the function gathered
   * across the batch's keys, e.g. the per-batch deltas of a local aggregation. Nothing may
   * be kept for a later batch (it would not be checkpointed). Throwing fails the job.
   */
  finishBatch?(ctx: KeyedProcessContext<St, Infer<S>>): void;
}

/** Any keyed function, as `keyed_process` runs it. */
export type KeyedFunction = Branded<KeyedFunctionDefinition<any, any>>;

/**
 * Defines a keyed function: `definePlugin` with `kind: 'keyed_function'`. Export the result
 * from the plugin's module; the loader finds it like any plugin.
 */
export function defineKeyedFunction<S extends ObjectSpec = ObjectSpec<{}>, St extends Record<string, StateDescriptor> = {}>(
  fn: Omit<KeyedFunctionDefinition<S, St>, 'kind' | 'spec'> & { readonly spec?: S },
): Branded<KeyedFunctionDefinition<S, St>> {
  if (!/^[a-z][a-z0-9_]*$/.test(fn.name)) throw new Error(`keyed function name '${fn.name}' is not snake_case`);
  const spec = fn.spec ?? ({ type: 'object', doc: '', fields: {} } as unknown as S);
  return definePlugin<S, St>({ ...fn, kind: 'keyed_function', spec } as KeyedFunctionDefinition<S, St>);
}
