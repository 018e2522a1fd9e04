/**
 * The sink contract. Sinks do the async work of writing. A `write` that resolves means its
 * records are acknowledged by the target (durable as far as the target promises).
 */
import type { Batch, Changelog } from './records.ts';
import type { GroupOffsets } from './source.ts';

/** Records of a batch the target rejected for good: they are dead-lettered. */
export interface SinkWriteResult {
  readonly rejected?: readonly { readonly index: number; readonly error: unknown }[];
}

/** What a sink is told at a checkpoint barrier. */
export interface CheckpointBarrierInfo {
  /**
   * The savepoint this checkpoint is, if it is one. The repartition output of a job run as
   * tasks writes it into its topic, in the checkpoint's transaction, so the downstream task
   * knows where the upstream task stopped (docs/architecture.md §5, Savepoints).
   */
  readonly savepoint?: string;
}

/** What a sink is told of a checkpoint that completed (its manifest is committed). */
export interface CompletedCheckpoint {
  readonly id: number;
  /**
   * For the job's exactly-once sink: the consumer-group offsets of every source at this
   * checkpoint, to commit in the same transaction as the output written before it. Empty
   * for the other sinks.
   */
  readonly sourceOffsets: readonly GroupOffsets[];
}

export interface SinkInstance {
  /**
   * Called once before the first write. `position` is what `checkpoint()` returned at the
   * last completed checkpoint, or undefined on a fresh start: truncate or overwrite what
   * was written after it.
   */
  open(position: unknown): Promise<void>;
  /**
   * Writes a batch. Throw `TransientSinkError` to have it retried with back-off,
   * `PermanentSinkError` to dead-letter all of it; return `rejected` to dead-letter some.
   * Never called concurrently: the next call waits for this one.
   */
  write(batch: Batch): Promise<SinkWriteResult | void>;
  /**
   * At a checkpoint barrier, after every earlier `write` resolved: make them durable and
   * return a serialisable position to restore to (e.g. a file length). `barrier` says
   * what the checkpoint is (a savepoint's id); most sinks ignore it.
   */
  checkpoint?(barrier?: CheckpointBarrierInfo): Promise<unknown>;
  /**
   * The checkpoint that recorded `position` completed. May be called while a `write` is
   * pending (a sink that holds writes until a checkpoint completes must not wait on itself);
   * never concurrently with `checkpoint` or another notification.
   */
  onCheckpointComplete?(position: unknown, checkpoint: CompletedCheckpoint): Promise<void>;
  /**
   * The checkpoint whose `checkpoint()` was called last will not complete (it was declined):
   * what the sink set aside for it belongs to the next one. Called as `onCheckpointComplete`
   * is, and also when `checkpoint()` was not reached.
   */
  onCheckpointAborted?(): Promise<void>;
  /**
   * The watermark of the sink's input advanced to `watermark` (+∞ at end of input), after
   * every record before it was written. Called as `write` is (never concurrently with it);
   * only sinks that pass watermarks on implement it (a repartition topic's output).
   */
  onWatermark?(watermark: number): Promise<void>;
  close(): Promise<void>;
}

/** What a sink is told about its input when it is created. */
export interface SinkInput {
  /** Append-only, or an upsert stream to apply by key. */
  readonly changelog: Changelog;
}
