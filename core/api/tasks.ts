/**
 * Running a job as tasks (`job.tasks`, docs/architecture.md §5) through plugins that declare
 * they can. A partitioned source (`SourceDefinition.tasks`) lays the job out — one task per
 * partition index of its blocks' topics — and hosts the group through which the job's
 * processes share those tasks. Where a `repartition` operator cuts the job into stages, the
 * cut is an internal topic on the same cluster, written by the sink plugin of the source's
 * name (`SinkDefinition.repartitionOutput`) and read by the source
 * (`PartitionedSource.repartitionInput`): a sink/source pair, found through the registry.
 * The layout may also offer a board (`TaskLayout.watermarkBoard`) through which the job's
 * processes share their tasks' watermarks for job-wide watermark alignment.
 */
import type { Logger } from './services.ts';
import type { SourceDefinition } from './plugin.ts';

/**
 * A request to the owner of a task, whoever that is when it arrives (`TaskLayout.request`):
 * today only a stop with savepoint `savepoint` (docs/architecture.md §5, Savepoints).
 */
export interface TaskRequest {
  readonly savepoint: string;
  /** Epoch ms after which the request is dropped unhandled (its sender gave up waiting). */
  readonly expires?: number;
}

/** Which tasks of the job this process runs, decided among every process of the job. */
export interface TaskGroup {
  /**
   * Joins the group; `onTasks` gets the owned task indexes after every rebalance, `onFatal` a
   * failure of the group, `onRequest` each request for a task this process owns: once it
   * settles the request is done (a request not settled when the task moves reaches the new owner).
   */
  join(onTasks: (owned: readonly number[]) => void, onFatal: (error: Error) => void, onRequest?: (task: number, request: TaskRequest) => Promise<void>): Promise<void>;
  /** Leaves the group: the other processes take this one's tasks at once. */
  leave(): Promise<void>;
}

export interface TaskLayout {
  /** Tasks of the job: the partition count all the blocks' topics share. */
  readonly count: number;
  /** Where the job's internal topics live, as the repartition pair takes it (opaque to the runtime). */
  readonly cluster: unknown;
  /** The group of the job's tasks (one per job name), with this session timeout. */
  group(sessionTimeoutMs: number): TaskGroup;
  /** Creates (idempotently) internal topics of `count` partitions; refuses one that exists with another count. */
  createTopics(topics: readonly string[]): Promise<void>;
  /** Sends `request` to the owner of every task of the job (through the group; `join`'s `onRequest`). */
  request?(request: TaskRequest): Promise<void>;
  /** The job's watermark board (one per process), for alignment across processes; absent: tasks align only with the tasks of their own process. */
  watermarkBoard?(): WatermarkBoard;
}

/**
 * One task's alignment state, as the job's processes share it (docs/architecture.md §3):
 * per alignment group, the lowest watermark the task holds the others to (−∞ allowed);
 * null: the task is idle in that group and holds nothing back.
 */
export interface TaskWatermarks {
  readonly task: string;
  /** The process that published it: a process skips its own entries when reading. */
  readonly process: string;
  readonly groups: Readonly<Record<string, number | null>>;
}

/**
 * Where a job's processes publish their tasks' alignment watermarks and read the others'.
 * The latest entry of a task replaces the earlier ones, and stays until replaced: a task no
 * process runs keeps its last entry.
 */
export interface WatermarkBoard {
  /** Starts reading every entry published so far and from now on, in order; resolves once reading started. */
  open(onEntries: (entries: readonly TaskWatermarks[]) => void): Promise<void>;
  publish(entries: readonly TaskWatermarks[]): Promise<void>;
  close(): Promise<void>;
}

export interface TaskLayoutContext<C> {
  readonly job: string;
  /** Every block of this source plugin in the pipeline, in pipeline order. */
  readonly blocks: readonly { readonly id: string; readonly config: C }[];
  readonly logger: Logger;
}

/** A block the runtime adds to a stage itself (no pipeline names it): a definition and its config. */
export interface InternalBlock<D> {
  readonly plugin: D;
  readonly config: unknown;
}

export interface RepartitionInputOptions {
  /** `TaskLayout.cluster`. */
  readonly cluster: unknown;
  readonly topic: string;
  /** Tasks writing the topic: a partition's watermark is the minimum of theirs (in-band). */
  readonly upstreamTasks: number;
}

export interface RepartitionOutputOptions {
  /** `TaskLayout.cluster`. */
  readonly cluster: unknown;
  readonly topic: string;
  /** Key fields: records of one key go to one partition. */
  readonly key: readonly string[];
  readonly partitions: number;
  /** The stage's first repartition output: it commits the stage task's transaction (exactly once). */
  readonly leader: boolean;
}

/** What a source declares (`SourceDefinition.tasks`) so a job reading it can run as tasks. */
export interface PartitionedSource<C> {
  /** The job's task count and group, from the source's blocks; refuses blocks whose partition counts differ. */
  layout(ctx: TaskLayoutContext<C>): Promise<TaskLayout>;
  /** The source that reads partition p of a repartition topic for task p, its control records as watermarks. */
  repartitionInput(o: RepartitionInputOptions): InternalBlock<SourceDefinition>;
}
