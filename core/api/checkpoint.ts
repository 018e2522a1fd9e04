/**
 * Checkpoint stores (plugin kind `checkpoint_store`): where checkpoints live. A local
 * folder on the embedded default, HBase in production.
 *
 * A checkpoint is complete only once its manifest is committed; chunks without a committed
 * manifest are garbage. `commit` must be atomic (a rename in a folder, a checked put).
 */

export interface CheckpointChunkRef {
  readonly name: string;
  readonly bytes: number;
}

export interface CheckpointManifest {
  /** Grows by one per attempt, across restarts. */
  readonly id: number;
  readonly job: string;
  /** Processing time when the checkpoint was taken (clock service). */
  readonly createdAt: number;
  /** Restore generation: how many times this job has restored; part of sink versions. */
  readonly generation: number;
  readonly chunks: readonly CheckpointChunkRef[];
  /** Position of each source after the last record it admitted, by source id. */
  readonly sources: Readonly<Record<string, unknown>>;
  /** What each sink reported at the barrier (e.g. a file length), by sink id. */
  readonly sinks: Readonly<Record<string, unknown>>;
  /** Anything else the runtime needs to restore (watermark state, operator snapshots). */
  readonly runtime: Readonly<Record<string, unknown>>;
}

export interface CheckpointStore {
  /** Writes one chunk (at most 4 MB) of checkpoint `id`. */
  writeChunk(id: number, name: string, data: Uint8Array): Promise<void>;
  /** Publishes the manifest atomically; only then is the checkpoint complete. */
  commit(manifest: CheckpointManifest): Promise<void>;
  /** The newest complete checkpoint, if any. */
  latest(): Promise<CheckpointManifest | undefined>;
  /** Every complete checkpoint, newest first (an exactly-once restore looks past the newest). */
  list?(): Promise<CheckpointManifest[]>;
  readChunk(id: number, name: string): Promise<Uint8Array>;
  /** Deletes all but the `retain` newest complete checkpoints and any incomplete ones older than them. */
  prune(retain: number): Promise<void>;
  /** For logs: where checkpoints go, e.g. `folder .sluice/checkpoints/job`. */
  describe(): string;
}
