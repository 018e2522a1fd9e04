/**
 * The compiled pipeline: what `compilePipeline` (spec + graph) hands to the engine and to
 * `sluice graph`. Everything here is validated: configs are parsed by their specs
 * (defaults applied, durations in ms), inputs resolve, keys line up, the graph is acyclic.
 */
import type {
  ConfigIssue,
  ErrorCode,
  KeySpec,
  OperatorDefinition,
  OperatorPlan,
  PluginDefinition,
  PluginKind,
  SinkDefinition,
  SourceDefinition,
  StreamInfo,
  Changelog,
} from '../../api/index.ts';

/** A problem located in a file. */
export interface LocatedIssue extends ConfigIssue {
  readonly code: ErrorCode;
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
  /** Dotted config path: `operators.joined.interval_join.lower`. */
  readonly configPath: string;
}

/** Finds plugins by kind and name (built-ins and loaded packages). */
export interface PluginLookup {
  get(kind: PluginKind, name: string): PluginDefinition | undefined;
  names(kind: PluginKind): readonly string[];
}

/** A reference to a stream: a node's main output, or one of its named outputs (`traffic.actions`). */
export interface StreamRef {
  readonly node: string;
  readonly output?: string;
}

export interface Located {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Dotted config path of the block, e.g. `sinks.results`. */
  readonly configPath: string;
}

export interface EventTimeSpec {
  /** Field holding the event time (epoch ms or ISO-8601); absent: the source's own times. */
  readonly field?: string;
  readonly maxOutOfOrderness: number;
  /** Records more than this ahead of the wall clock are dead-lettered (ms); absent: no check. */
  readonly maxFuture?: number;
  /** Absent: the partition never goes idle. */
  readonly idleTimeout?: number;
  /** Watermark alignment; absent: off. */
  readonly alignment?: AlignmentSpec;
}

/** Watermark alignment of a source (Flink's FLIP-182/217); see watermark-alignment.ts. */
export interface AlignmentSpec {
  /** Sources with the same group share one minimum watermark. */
  readonly group: string;
  /** A partition more than this ahead of the group's minimum is paused (ms). */
  readonly maxDrift: number;
  /** How often the group's minimum is recomputed (processing-time ms); 0: every poll. */
  readonly updateInterval: number;
}

export interface CompiledSource {
  readonly id: string;
  readonly plugin: SourceDefinition;
  readonly config: unknown;
  /** Output names; `''` is the main output. */
  readonly outputs: readonly string[];
  readonly streams: Readonly<Record<string, StreamInfo>>;
  readonly eventTime: EventTimeSpec;
  readonly codec: 'json' | 'raw';
  readonly location: Located;
}

export interface CompiledOperator {
  readonly id: string;
  readonly plugin: OperatorDefinition;
  readonly config: unknown;
  readonly inputs: readonly StreamRef[];
  readonly plan: OperatorPlan;
  /** Key of each input as the operator sees it (its own, or the stream's); undefined when unkeyed. */
  readonly inputKeys: readonly (KeySpec | undefined)[];
  readonly location: Located;
}

export interface CompiledSink {
  readonly id: string;
  readonly plugin: SinkDefinition;
  readonly config: unknown;
  /** Absent for the late and dead-letter outputs, which the runtime feeds. */
  readonly input?: StreamRef;
  readonly changelog: Changelog;
  readonly codec: 'json' | 'raw';
  readonly location: Located;
}

export interface CompiledPipeline {
  readonly name: string;
  readonly file: string;
  readonly profile: string | undefined;
  /** npm packages named under `plugins:`. */
  readonly packages: readonly string[];
  readonly sources: readonly CompiledSource[];
  /** In topological order. */
  readonly operators: readonly CompiledOperator[];
  readonly sinks: readonly CompiledSink[];
  readonly late: CompiledSink | undefined;
  readonly deadLetter: CompiledSink | undefined;
}
