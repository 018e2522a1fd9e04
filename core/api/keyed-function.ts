/**
 * Keyed functions: user logic for `keyed_process` (Flink's KeyedProcessFunction), written in
 * a plugin folder of its own and named in the pipeline:
 *
 *   // plugins/experiment-analytics/first-trigger/index.ts (imports defineKeyedFunction from the API)
 *   export const firstTrigger = defineKeyedFunction({
 *     name: 'first_trigger',
 *     summary: 'Emits each user's first activation per epoch once the watermark passes it.',
 *     state: () => ({ first: state.value<Row>() }),
 *     processElement(value, ctx) { … ctx.state.first.set(value); ctx.timers.registerEventTimeTimer(ctx.timestamp); },
 *     onTimer(timestamp, ctx) { ctx.emit(ctx.state.first.get()!, timestamp); },
 *   });
 *
 *   # pipeline
 *   first_triggers:
 *     input: activations
 *     keyed_process: { function: first_trigger, key: [user_id, experiment_id], options: { epoch: 3d } }
 *
 * `defineKeyedFunction` registers the function by name when its module is imported; the
 * runtime imports every `plugins/<x>/index.ts` (and each package under `plugins:`) before
 * it builds the job, so the function is known when `keyed_process` is created. Options
 * are passed as written in the pipeline (durations as text: parse them with `parseDuration`
 * from the API); declare their spec in `options` for the docs.
 */
import type { ObjectSpec } from './spec.ts';
import type { ChangeKind, ProvenanceRef, Row } from './records.ts';
import type { StateDescriptor, StateHandles } from './state.ts';
import type { TimerService, TimeDomain } from './operator.ts';
import type { StreamInfo } from './stream.ts';

/** What a keyed function sees for one element or timer. One object, reused: do not keep it. */
export interface KeyedProcessContext<St extends Record<string, StateDescriptor> = Record<string, StateDescriptor>, O = Record<string, unknown>> {
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

export interface KeyedFunction<St extends Record<string, StateDescriptor> = Record<string, StateDescriptor>, O = Record<string, unknown>> {
  /** snake_case; what `function:` names. */
  readonly name: string;
  readonly summary: string;
  /** Spec of `options`, for the docs. */
  readonly options?: ObjectSpec;
  /** Keyed state, declared up front. */
  readonly state?: (options: O) => St;
  /** Named outputs the function emits to. */
  readonly outputs?: readonly string[];
  /** Describes the main output (default: append, fields unknown). */
  readonly output?: (options: O, input: StreamInfo) => Partial<StreamInfo>;
  /** Called for each element not late for the block (`ts ≥ W − allowed_lateness`). Throwing dead-letters the element. */
  processElement(value: Row, ctx: KeyedProcessContext<St, O>): void;
  /** A timer of the current key fired. Throwing fails the job. */
  onTimer?(timestamp: number, ctx: KeyedProcessContext<St, O>): void;
}

const registry = new Map<string, KeyedFunction>();

/** Defines and registers a keyed function. Registering another function under a taken name throws. */
export function defineKeyedFunction<St extends Record<string, StateDescriptor>, O = Record<string, unknown>>(fn: KeyedFunction<St, O>): KeyedFunction<St, O> {
  if (!/^[a-z][a-z0-9_]*$/.test(fn.name)) throw new Error(`keyed function name '${fn.name}' is not snake_case`);
  const existing = registry.get(fn.name);
  if (existing && existing !== (fn as unknown)) throw new Error(`keyed function '${fn.name}' is defined twice`);
  registry.set(fn.name, fn as unknown as KeyedFunction);
  return fn;
}

export function keyedFunction(name: string): KeyedFunction | undefined {
  return registry.get(name);
}

export function keyedFunctionNames(): string[] {
  return [...registry.keys()].sort();
}
