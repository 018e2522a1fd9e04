/**
 * The sink contract. Sinks do the async work of writing. A `write` that resolves means its
 * records are acknowledged by the target (durable as far as the target promises).
 */
import type { Batch, Changelog } from './records.ts';

/** Records of a batch the target rejected for good: they are dead-lettered. */
export interface SinkWriteResult {
  readonly rejected?: readonly { readonly index: number; readonly error: unknown }[];
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
   * return a serialisable position to restore to (e.g. a file length).
   */
  checkpoint?(): Promise<unknown>;
  /** The checkpoint that recorded `position` completed. */
  onCheckpointComplete?(position: unknown): Promise<void>;
  close(): Promise<void>;
}

/** What a sink is told about its input when it is created. */
export interface SinkInput {
  /** Append-only, or an upsert stream to apply by key. */
  readonly changelog: Changelog;
}
