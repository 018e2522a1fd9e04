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
  /** CRC-32 of the chunk, verified on restore; absent in checkpoints written before it was kept. */
  readonly crc32?: number;
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
  /** The pipeline this checkpoint was taken of: its hash and its operators' state (checked when a savepoint is restored). */
  readonly pipeline?: PipelineShape;
  /** Present on a savepoint: a checkpoint kept until deleted; `prune` never removes it. */
  readonly savepoint?: SavepointMark;
  /**
   * The savepoint the run that took this checkpoint was started from (`--from-savepoint`),
   * carried by every later checkpoint of that run: a task of a job run as tasks tells its
   * own run's progress from an older run's by it (core/runtime/scale/task-start.ts).
   */
  readonly from?: string;
}

/** One operator's state as the checkpoint holds it: its type and each state's kind, by state name. */
export interface OperatorStateShape {
  /** The operator plugin's name, e.g. `dedupe`. */
  readonly type: string;
  /** Keyed state descriptors (ValueState, MapState, ListState) by state name. */
  readonly state: Readonly<Record<string, 'value' | 'map' | 'list'>>;
}

export interface PipelineShape {
  /** sha256 (hex) of the compiled pipeline, normalised: plugins, configs and wiring, not file locations. */
  readonly hash: string;
  /** Operators that declare keyed state, by id (their YAML names). */
  readonly operators: Readonly<Record<string, OperatorStateShape>>;
}

/**
 * Marks a checkpoint as a savepoint. Its id names the savepoint across the job: with
 * tasks, every task's checkpoint of one savepoint carries the same id (each in its own
 * store namespace), so the savepoint is the set of checkpoints with that id.
 */
export interface SavepointMark {
  /** e.g. `sp-20261205-034501-3f2a`. */
  readonly id: string;
  /**
   * The task stopped at it (a savepoint of a job run as tasks is always taken with a stop):
   * nothing it read after it was committed, and a later instance of the task does not run
   * past it unless the job is started from a savepoint.
   */
  readonly stop?: boolean;
}

/** True when `manifest` is a savepoint (`prune` keeps it). */
export function isSavepoint(manifest: CheckpointManifest): boolean {
  return manifest.savepoint !== undefined;
}

export interface CheckpointStore {
  /** Writes one chunk (at most 4 MB) of checkpoint `id`. */
  writeChunk(id: number, name: string, data: Uint8Array): Promise<void>;
  /** Publishes the manifest atomically; only then is the checkpoint complete. */
  commit(manifest: CheckpointManifest): Promise<void>;
  /** The newest complete checkpoint, if any. */
  latest(): Promise<CheckpointManifest | undefined>;
  /**
   * Optional: every complete checkpoint, savepoints included, newest first (an exactly-once
   * restore looks past the newest; savepoints are found among them).
   */
  list?(): Promise<CheckpointManifest[]>;
  readChunk(id: number, name: string): Promise<Uint8Array>;
  /**
   * Deletes all but the `retain` newest complete checkpoints that are not savepoints, and
   * any incomplete ones older than them. Savepoints stay until `delete`.
   */
  prune(retain: number): Promise<void>;
  /** Optional: the manifest of complete checkpoint `id`, if there is one. */
  read?(id: number): Promise<CheckpointManifest | undefined>;
  /** Optional (`sluice savepoint delete`): deletes checkpoint `id`, manifest first, then its chunks; no-op when absent. */
  delete?(id: number): Promise<void>;
  /** For logs: where checkpoints go, e.g. `folder .sluice/checkpoints/job`. */
  describe(): string;
}

/**
 * The manifest's text form, shared by every checkpoint store (the folder and HBase stores,
 * and third-party ones): JSON, with the non-finite numbers a manifest can hold (watermarks
 * at ±∞) written as `{ "$number": "Infinity" }` so they survive the round trip.
 * `decodeManifest(encodeManifest(m))` deep-equals `m`. The format is stable: checkpoints
 * written by one version are read by the next.
 */
export interface ManifestEncodeOptions {
  /** Indentation, as `JSON.stringify`'s third argument (the folder store writes 2; default none). */
  readonly indent?: number;
}

/** Encodes a manifest as JSON text, non-finite numbers tagged. */
export function encodeManifest(manifest: CheckpointManifest, options: ManifestEncodeOptions = {}): string {
  return JSON.stringify(manifest, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v), options.indent);
}

/** Decodes what `encodeManifest` wrote. Throws `SyntaxError` on text that is not JSON. */
export function decodeManifest(text: string): CheckpointManifest {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$number') return Number((v as { $number: string }).$number);
    }
    return v;
  }) as CheckpointManifest;
}
