/**
 * The source contract. Sources do the async work of reading; the runtime decodes, assigns
 * event time (from the block's `event_time`), generates watermarks per partition, and
 * back-pressures by not polling.
 */
import type { Row } from './records.ts';

/**
 * Records read from one partition of one output. Give `values` (decoded rows) or
 * `payloads` (bytes or text, decoded by the runtime with the block's `codec`, so a
 * payload that does not decode is dead-lettered with its original bytes).
 */
export interface SourceChunk {
  /** Named output, for a source with several (`traffic.actions`). */
  readonly output?: string;
  /** The unit of watermark generation and idleness: a Kafka partition, a file. */
  readonly partition: string | number;
  readonly values?: readonly Row[];
  readonly payloads?: readonly (string | Uint8Array)[];
  /** Event times from the system (a broker timestamp); used when `event_time` names no field. */
  readonly times?: readonly number[];
  /** Position of each record in its partition, for provenance (an offset). */
  readonly offsets?: readonly (string | number)[];
  /** 1-based line numbers, for line-oriented sources. */
  readonly lines?: readonly number[];
  /** Per-record metadata exposed to the pipeline as the `_meta` field (headers, key). */
  readonly meta?: readonly (Row | undefined)[];
  /**
   * W3C `traceparent` header values found on these records (distinct, a few: read from a
   * bounded sample of records, whether `_meta` is on or not). The runtime links the
   * source's poll span to those producers' spans (docs/architecture.md §6).
   */
  readonly traceparents?: readonly string[];
  /**
   * An explicit watermark for this partition after these records (test fixtures, sources
   * that know their progress). Combined with the generated one; never goes back.
   */
  readonly watermark?: number;
}

/** A partition of one named output of a source (`SourceInstance.partitions`). */
export interface OutputPartition {
  readonly output: string;
  readonly partition: string | number;
}

/** A Kafka consumer group's next offsets to read (only partitions that have one). */
export interface GroupOffsets {
  readonly groupId: string;
  readonly offsets: readonly { readonly topic: string; readonly partition: number; readonly offset: number }[];
}

/**
 * A source whose position is a Kafka consumer group's offsets (the `kafka` source), as an
 * exactly-once sink needs it: the sink commits `offsetsOf(position)` in the transaction
 * that commits a checkpoint's output, and a restore picks the checkpoint whose positions
 * equal `committed()` (see `SinkDefinition.exactlyOnce`).
 */
export interface ConsumerGroupPositions {
  /** The group offsets equal to a position this source's `position()` returned (undefined: none). */
  offsetsOf(position: unknown): GroupOffsets;
  /** The group's committed offsets now. */
  committed(): Promise<GroupOffsets>;
}

export interface SourceInstance {
  /**
   * Called once before the first poll. `position` is what `position()` returned at the
   * last completed checkpoint, or undefined on a fresh start: resume right after it.
   */
  open(position: unknown): Promise<void>;
  /**
   * Reads what is ready, at most about `maxRecords` records. Resolves with chunks (maybe
   * none when nothing is ready yet; the runtime polls again after a short wait), or `null`
   * at end of input. Never called again before the previous call resolved; not called while
   * downstream is full (back-pressure).
   */
  poll(maxRecords: number): Promise<SourceChunk[] | null>;
  /** Serialisable position after the last record returned by `poll`. Synchronous. */
  position(): unknown;
  /**
   * A checkpoint that recorded `position` completed: commit offsets, ack messages. Not
   * called when an exactly-once sink of the job commits this source's group offsets in its
   * own transaction instead.
   */
  onCheckpointComplete?(position: unknown): Promise<void>;
  /**
   * Partitions known up front (docs/architecture.md §3): each holds the source's watermark
   * until it produces, or starts idle when the source has an `idle_timeout`. A plain id is a
   * partition of every output of the source; an `OutputPartition` one of that output only
   * (a partition that never produces on an output must not be declared for it, or it holds
   * that watermark for good).
   */
  partitions?(): readonly (string | number | OutputPartition)[];
  /**
   * Watermark alignment (optional): stop returning records of these partitions (the
   * `partition` values of its chunks) until `resumePartitions` names them; a source that
   * can, also stops fetching them. Called between polls, never during one; names may
   * include partitions already paused or not seen yet. A source without these methods is
   * paused as a whole, by not being polled.
   */
  pausePartitions?(partitions: readonly (string | number)[]): void;
  /** Records of these partitions may be returned again (see `pausePartitions`). */
  resumePartitions?(partitions: readonly (string | number)[]): void;
  /**
   * A repartition input of a job run as tasks (optional): true once `poll` has returned
   * every upstream task's marker of savepoint `id` — the upstream tasks stopped at it, so
   * nothing follows and this task may take its own part of the savepoint.
   */
  savepointReached?(id: string): boolean;
  close(): Promise<void>;
}
