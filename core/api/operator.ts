/**
 * The operator contract: Flink's KeyedProcessFunction, batch at a time.
 *
 * The runtime calls an operator synchronously, one batch at a time, never concurrently.
 * Within a batch, records are judged against the watermark in force before the batch
 * (`ctx.watermark`); then the runtime advances the watermark, fires due timers in time
 * order (`onTimer`), calls `onWatermark`, and forwards the watermark downstream after what
 * those emitted.
 *
 * The current key is the runtime's: keyed state handles and timers refer to the key the
 * runtime set, never to one the plugin picks. It is set to record i's key (`batch.keys[i]`)
 * and event time before `processRecord(batch, i, …)`, to the timer's key before `onTimer`,
 * and to each visited key inside `ctx.forKeys`. Anywhere else (`processBatch`, `endBatch`,
 * `onWatermark`) there is no current key and touching keyed state or timers throws.
 *
 * Throwing while handling one record: call `ctx.fail(i, error)` and go on instead. An
 * exception that escapes `processRecord`, `processBatch`, `onTimer` or `onWatermark` fails
 * the whole job (it restarts from its last checkpoint).
 */
import type { Batch, ChangeKind, ProvenanceRef, Row } from './records.ts';
import type { StateKey } from './state.ts';

export type TimeDomain = 'event' | 'processing';

/** Timers of the current key. One timer per key, timestamp and domain. */
export interface TimerService {
  registerEventTimeTimer(timestamp: number): void;
  deleteEventTimeTimer(timestamp: number): void;
  registerProcessingTimeTimer(timestamp: number): void;
  deleteProcessingTimeTimer(timestamp: number): void;
}

export interface OperatorContext {
  readonly operatorId: string;
  /**
   * The watermark in force: before the batch while `processBatch` runs, the new one while
   * timers fire and in `onWatermark`. `-Infinity` before any, `+Infinity` at end of input.
   */
  readonly watermark: number;
  /** Processing time from the clock service. */
  processingTime(): number;

  /** The key state handles and timers refer to (set by the runtime); undefined outside a key. */
  readonly currentKey: StateKey | undefined;
  /** Timers of the current key. */
  readonly timers: TimerService;
  /**
   * Visits keys the batch does not hand over record by record: keys the operator computes
   * itself (`dedupe`'s identities), keys it comes back to after the batch (`window_aggregate`'s
   * late firings), keys a broadcast input wakes (`experiment_stats`' waiting rows). For each
   * `i` (in order) whose `keys[i]` is defined, the runtime makes `keys[i]` the current key and
   * `times?.[i]` the current event time (for event-time TTL; unknown without `times`), then
   * calls `visit(i, ctx)`. Make `visit` once, in `create`, not per batch.
   */
  forKeys(keys: readonly (StateKey | undefined)[], times: readonly number[] | undefined, visit: KeyVisitor): void;

  /**
   * Emits to the main output. `provenance` is carried to the dead-letter and late outputs downstream.
   * The row is handed over: do not change it afterwards (it may wait in a queue, or in a checkpoint).
   */
  emit(value: Row, time: number, kind?: ChangeKind, provenance?: ProvenanceRef): void;
  /** Emits to a named output (operators with `outputs`, e.g. `route`). */
  emitTo(output: string, value: Row, time: number, kind?: ChangeKind, provenance?: ProvenanceRef): void;
  /**
   * Sends a record to the pipeline's late output with the reason (e.g. `window_closed`,
   * `join_bound_passed`, `trigger_superseded`) and the watermark it was judged against.
   */
  late(value: Row, time: number, reason: string, provenance?: ProvenanceRef): void;
  /** Dead-letters input record `index` of the current batch with the error, and counts it. */
  fail(index: number, error: unknown): void;
  /** Dead-letters a record that is not in the current batch (e.g. one held in state). */
  deadLetter(value: Row, error: unknown, provenance?: ProvenanceRef): void;
  /** Adds a counter the runtime exports with the operator's id (e.g. `group_conflicts`). */
  count(name: string, delta?: number): void;
}

/** Called by `ctx.forKeys` with the current key set to `keys[index]`. */
export type KeyVisitor = (index: number, ctx: OperatorContext) => void;

/**
 * A batch on a keyed input: `keys[i]` is record i's serialised key (a string, or a number
 * for an operator with `integerKeys`: `StateKey`).
 */
export interface KeyedBatch<T = Row> extends Batch<T> {
  readonly keys?: readonly StateKey[];
}

/**
 * A running operator. It has `processRecord` (keyed inputs), `processBatch` (other inputs),
 * or both; the runtime calls, for each batch of input `input` (0-based, in the order of the
 * block's `input:`):
 *
 * - on a keyed input (the operator is `keyed` and the input has a key) of an operator with
 *   `processRecord`: `processRecord(batch, i, input, ctx)` for each record i in order, the
 *   current key and time set to record i's, then `endBatch` when present;
 * - otherwise: `processBatch(batch, input, ctx)` once, with no current key.
 */
export interface OperatorInstance {
  /** Handles record `i` of a batch on a keyed input; `batch.keys[i]` is the current key. */
  processRecord?(batch: KeyedBatch, i: number, input: number, ctx: OperatorContext): void;
  /** After `processRecord` has seen every record of a batch: batch-level work (no current key). */
  endBatch?(batch: KeyedBatch, input: number, ctx: OperatorContext): void;
  /** Handles one whole batch of an input that `processRecord` does not take (no current key). */
  processBatch?(batch: KeyedBatch, input: number, ctx: OperatorContext): void;
  /** A timer of `key` fired; the current key is already set to it. */
  onTimer?(timestamp: number, key: StateKey, domain: TimeDomain, ctx: OperatorContext): void;
  /** The watermark advanced to `ctx.watermark` (after due timers fired). */
  onWatermark?(ctx: OperatorContext): void;
  /**
   * Watermark hold: the earliest event time this operator may still emit (records it keeps
   * waiting, e.g. `broadcast` waiting for its side input). The runtime forwards
   * min(watermark, hold) downstream, so what it emits later is not late there; `+∞` (or no
   * method) holds nothing. Asked after every batch and watermark; keep it cheap.
   */
  watermarkHold?(): number;
  /**
   * Back-pressure: the inputs (indices) the operator asks not to be fed for now, e.g.
   * `interval_join` when one side's buffer is over `max_buffered_per_side` because that side
   * runs ahead. The runtime asks each time it picks the next input to feed, and skips the
   * named ones while another input has records. When only named inputs have records, after
   * a short stall it feeds them anyway and reports the operator stalled (`/ready` answers
   * 503): keep the bound one that the other inputs' watermark releases, and enforce a hard
   * limit of your own (`interval_join` fails past 2× its bound). `[]` (or no method) blocks
   * nothing.
   */
  blockedInputs?(): readonly number[];
  /**
   * Operator-local state that is not keyed (e.g. broadcast state), for checkpoints. Must
   * be structured-clone serialisable. Keyed state is snapshotted by the runtime.
   */
  snapshot?(): unknown;
  restore?(snapshot: unknown): void;
  /** Called once at shutdown, after the last batch and the final watermark. */
  close?(): void | Promise<void>;
}
