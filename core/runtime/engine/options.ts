/**
 * What `runJob` takes and returns. Every setting has a default; the defaults come from the
 * job container's runtime config (`runtimeServices.config`, i.e. config/*.yaml) when it has
 * one, else from the values of config/default.yaml.
 */
import type { DependencyContainer } from 'tsyringe';
import type { CheckpointStore, Clock, ExpressionCompiler, Logger, SinkInstance, SourceInstance, StateBackend, TaskSlice } from '../../api/index.ts';
import type { SluiceError } from '../../api/index.ts';
import type { Telemetry } from '../../telemetry/index.ts';
import type { SinkRetryOptions } from './sink-task.ts';
import type { AlignmentGroup } from './watermark-alignment.ts';

export interface CheckpointOptions {
  /** Wall-clock ms between the starts of two checkpoints; 0: only at shutdown. Default 10 s. */
  readonly interval?: number;
  /** An attempt not complete after this many ms is declined; the job goes on. Default 60 s. */
  readonly timeout?: number;
  /** Consecutive declines tolerated; one more fails the job (Flink's rule). Default 3. */
  readonly tolerableFailures?: number;
  /** Complete checkpoints kept. Default 3. */
  readonly retain?: number;
  /** Unaligned checkpoints: queued items go into the checkpoint instead of draining (checkpointer.ts). Default true. */
  readonly unaligned?: boolean;
  /**
   * The store. Default: the container's `services.checkpointStore`, else the
   * `checkpoint.store` plugin of the runtime config created in
   * `<job.state_dir>/checkpoints/<job>`, else none (no checkpoints are taken).
   */
  readonly store?: CheckpointStore | null;
}

export interface RestartOptions {
  /** Restarts from the last checkpoint before a failing job gives up; 0 never restarts. Default 3. */
  readonly maxAttempts?: number;
  /** Wait before the first restart, doubled each further attempt (with jitter). Default 1 s. */
  readonly initialBackoff?: number;
  /** Longest wait between two restarts. Default 60 s. */
  readonly maxBackoff?: number;
}

/** Replacements for plugin instances, by block id (the in-process test runner uses them). */
export interface InstanceOverrides {
  readonly sources?: Readonly<Record<string, () => SourceInstance>>;
  readonly sinks?: Readonly<Record<string, () => SinkInstance>>;
  readonly late?: () => SinkInstance;
  readonly deadLetter?: () => SinkInstance;
}

/** What a completed checkpoint reports to `onCheckpoint`. */
export interface CheckpointInfo {
  readonly id: number;
  readonly kind: 'periodic' | 'shutdown' | 'final' | 'manual' | 'savepoint';
  readonly bytes: number;
  readonly durationMs: number;
  readonly generation: number;
}

export interface EngineOptions {
  /** The job's tsyringe child container (core/runtime/di); services are resolved from it. */
  readonly container?: DependencyContainer;
  readonly checkpoint?: CheckpointOptions;
  readonly restart?: RestartOptions;
  /** Most records per batch (a source's `maxRecords`). Default 1024. */
  readonly batchSize?: number;
  /**
   * Mini-batch compaction of upsert outputs: distinct keys held (0: off) and the longest a
   * change is held, in real ms. Default the config's `engine.mini_batch` (10 000, 100 ms).
   */
  readonly miniBatch?: { readonly maxRows?: number; readonly maxDelayMs?: number };
  /** Batches buffered per edge before the producer waits. Default 8. */
  readonly queueCapacity?: number;
  /** Processing-time clock. Default the container's `services.clock`, else the system clock. */
  readonly clock?: Clock;
  /**
   * With a logical clock (a `ManualClock`): how many ms the runtime moves it after each
   * poll that brought nothing, so idleness and processing-time timers progress
   * reproducibly. Default 10 when the clock is a ManualClock, else unused. 0 leaves the
   * clock to the caller (tests move it by hand).
   */
  readonly logicalClockStep?: number;
  /** Stop after this many source records (all sources, the whole run: a restore counts what its checkpoint read), then finish as at end of input. */
  readonly maxEvents?: number;
  /** Ignore existing checkpoints and start from scratch. */
  readonly resetState?: boolean;
  /** Runs one task of the job (`job.tasks`): sources read its partition; checkpoints go to its own namespace. */
  readonly task?: TaskSlice;
  /** The watermark-alignment group of a name, shared with the job's other tasks (scale/job-alignment.ts); default: a group of this attempt's sources alone. */
  readonly alignmentGroup?: (name: string) => AlignmentGroup;
  /** Told when the job becomes ready (restored, plugins open) and stops being; default: the metrics server's `/ready`. */
  readonly onReady?: (ready: boolean) => void;
  /**
   * Start from this savepoint (its id, `sp-…`) instead of the latest checkpoint; restarts
   * of this run use the checkpoints it takes itself. Refused (`E_SAVEPOINT_MISMATCH`) when
   * it does not fit the pipeline (core/runtime/checkpoint/savepoint-fit.ts).
   */
  readonly fromSavepoint?: string;
  /** With `fromSavepoint`: drop the state of operators the pipeline no longer has instead of refusing. */
  readonly allowDroppedState?: boolean;
  /** Graceful shutdown (SIGINT/SIGTERM): stop sources, drain, checkpoint, flush, close. */
  readonly signal?: AbortSignal;
  /** Default the container's `services.logger`, else silent. */
  readonly logger?: Logger;
  /** Default: created from the runtime config's `tracing` section (owned by the job). */
  readonly telemetry?: Telemetry;
  /** Default: the container's `services.stateBackend`, else a `MemoryStateBackend`. */
  readonly stateBackend?: StateBackend;
  readonly expressions?: ExpressionCompiler;
  /** Keyed-state budget per operator, in keys; default the runtime config's `state.max_keys` (0: none). */
  readonly stateMaxKeys?: number;
  readonly sinkRetry?: Partial<SinkRetryOptions>;
  /** Real ms a source loop waits after a poll that brought nothing. Default 5. */
  readonly idlePollMs?: number;
  readonly overrides?: InstanceOverrides;
  /** Called after every completed checkpoint (progress for tests and the UI). */
  readonly onCheckpoint?: (info: CheckpointInfo) => void;
  /**
   * Serve `/metrics` and `/ready` on this address for the job's life (port 0: a free one,
   * see `Telemetry.metricsServer`). Default from the runtime config: `metrics.host` and
   * `metrics.port`, off when the port is 0. `null`: off.
   */
  readonly metrics?: { readonly host: string; readonly port: number } | null;
  /** Called when a job attempt starts running (after restore), with its handle. */
  readonly onStart?: (job: RunningJob) => void;
  /** Called when a job attempt failed, with its 0-based number, the error, and whether the job restarts. */
  readonly onAttemptFailed?: (attempt: number, error: SluiceError, restarting: boolean) => void;
}

/** A running attempt, for tests and the UI. */
export interface RunningJob {
  readonly attempt: number;
  /** Batches waiting on each edge (`source.out -> op[0]`). */
  queueDepths(): Record<string, number>;
  /** Most batches an edge held at once. */
  peakQueueDepths(): Record<string, number>;
  /** Current watermark per source and operator. */
  watermarks(): Record<string, number>;
  /** Records in and out so far, per source, operator and sink id. */
  stageCounts(): Record<string, StageCounts>;
  /** Takes a checkpoint now; resolves true when it completed, false when declined. */
  triggerCheckpoint(): Promise<boolean>;
  /** Takes a savepoint now; rejects (`E_SAVEPOINT`) when it was declined or the job is stopping. */
  triggerSavepoint(options?: SavepointOptions): Promise<SavepointTaken>;
  /**
   * True once every repartition input of this task has returned each upstream task's marker
   * of savepoint `id` (`SourceInstance.savepointReached`); false for a task that has none.
   */
  savepointReached(id: string): boolean;
  /** The savepoint this attempt's run was started from (`CheckpointManifest.from`), if any. */
  startedFrom(): string | undefined;
  /**
   * Ends the input now, as if every source had reached its end: sources stop polling and send
   * +∞, every window and timer fires, and the final checkpoint is taken after that flush (so
   * exactly-once output of the flush commits); the result is `finished`. What the draining
   * of a job run as tasks uses.
   */
  endInput(reason: string): void;
}

export interface SavepointOptions {
  /** Its id; default a new one (`sp-…`). A job run as tasks names one savepoint in every task. */
  readonly id?: string;
  /** Marked as a stop (`SavepointMark.stop`): the caller cancels the task after it. */
  readonly stop?: boolean;
}

/** A completed savepoint. */
export interface SavepointTaken {
  /** The savepoint's id (`sp-…`), what `--from-savepoint` takes. */
  readonly id: string;
  /** The checkpoint id it has in the store. */
  readonly checkpoint: number;
  /** Where it is, e.g. `folder .sluice/checkpoints/job`. */
  readonly store: string;
}

export interface StageCounts {
  readonly in: number;
  readonly out: number;
  readonly late: number;
  readonly deadLettered: number;
  /** An operator's own counters (`ctx.count(name)`, e.g. `duplicates`, `group_conflicts`); absent for sources and sinks. */
  readonly counters?: Readonly<Record<string, number>>;
  /**
   * The late and dead-letter outputs: records written per source stream of their provenance
   * (`<source>/<output>`, the first provenance of a join result), split into records the
   * source admitted and those it could not decode.
   */
  readonly byStream?: { readonly admitted: Readonly<Record<string, number>>; readonly undecodable: Readonly<Record<string, number>> };
}

export interface JobResult {
  /** `finished`: end of input; `stopped`: signal or maxEvents; `failed`: gave up. */
  readonly status: 'finished' | 'stopped' | 'failed';
  /** 0 unless failed. */
  readonly exitCode: number;
  readonly error?: SluiceError;
  readonly restarts: number;
  readonly checkpoints: { readonly completed: number; readonly declined: number; readonly lastId: number | undefined };
  /** The checkpoint the last attempt restored, if any. */
  readonly restoredFrom: { readonly id: number; readonly store: string } | undefined;
  /** Records read by the sources since the job's fresh start (restored with each checkpoint). */
  readonly recordsIn: number;
  /** Per source, operator and sink id, since the job's fresh start (restored with each checkpoint; a restart replays what followed it). */
  readonly stages: Readonly<Record<string, StageCounts>>;  /** A task of a job run as tasks that did not run: its latest checkpoint is this stop savepoint. */
  readonly stoppedAt?: string;
}
