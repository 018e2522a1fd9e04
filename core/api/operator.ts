/**
 * The operator contract: Flink's KeyedProcessFunction, batch at a time.
 *
 * The runtime calls an operator synchronously, one batch at a time, never concurrently.
 * Within a batch, records are judged against the watermark in force before the batch
 * (`ctx.watermark`); then the runtime advances the watermark, fires due timers in time
 * order (`onTimer`), calls `onWatermark`, and forwards the watermark downstream after what
 * those emitted.
 *
 * Throwing from `processBatch` while handling one record: call `ctx.fail(i, error)` and go
 * on instead. An exception that escapes `processBatch`, `onTimer` or `onWatermark` fails
 * the whole job (it restarts from its last checkpoint).
 */
import type { Batch, ChangeKind, ProvenanceRef, Row } from './records.ts';

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

  /** Sets the key that state handles and timers refer to. */
  setCurrentKey(key: string): void;
  readonly currentKey: string | undefined;
  /** Event time of the record being handled; used for event-time TTL. */
  setCurrentTime(eventTime: number): void;
  readonly timers: TimerService;

  /** Emits to the main output. `provenance` is carried to the dead-letter and late outputs downstream. */
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

/** A batch on a keyed input: `keys[i]` is record i's serialised key. */
export interface KeyedBatch<T = Row> extends Batch<T> {
  readonly keys?: readonly string[];
}

export interface OperatorInstance {
  /**
   * Handles one batch of input `input` (0-based, in the order of the block's `input:`).
   * On a keyed input, `batch.keys` holds each record's key; call `ctx.setCurrentKey`
   * before touching state or timers.
   */
  processBatch(batch: KeyedBatch, input: number, ctx: OperatorContext): void;
  /** A timer of `key` fired; the current key is already set to it. */
  onTimer?(timestamp: number, key: string, domain: TimeDomain, ctx: OperatorContext): void;
  /** The watermark advanced to `ctx.watermark` (after due timers fired). */
  onWatermark?(ctx: OperatorContext): void;
  /**
   * Watermark hold: the earliest event time this operator may still emit (records it keeps
   * waiting, e.g. for a side input). The runtime forwards min(watermark, hold) downstream, so
   * what it emits later is not late there; `+∞` (or no method) holds nothing.
   */
  watermarkHold?(): number;
  /**
   * Operator-local state that is not keyed (e.g. broadcast state), for checkpoints. Must
   * be structured-clone serialisable. Keyed state is snapshotted by the runtime.
   */
  snapshot?(): unknown;
  restore?(snapshot: unknown): void;
  /** Called once at shutdown, after the last batch and the final watermark. */
  close?(): void | Promise<void>;
}
