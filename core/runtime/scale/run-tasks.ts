/**
 * A job run as tasks (`job.tasks`, docs/architecture.md §5). The job is split into one task
 * per partition index of its Kafka topics (through the source plugin's `tasks`,
 * partitioned.ts); every process started with the same pipeline and
 * config joins the job's task group, and the group's assignment says which tasks run here.
 * Each task is an engine instance of its own (`startJob` with a `TaskSlice`): its sources read
 * its partition, and its state, timers, watermarks and positions are checkpointed on their
 * own, under `<job>.task-<p>` in the shared checkpoint store.
 *
 * A gained task restores its latest completed checkpoint and replays from its positions
 * before it processes anything. A lost task is checkpointed (if it can be, quickly) and
 * cancelled — never flushed, as its windows are not done; correctness does not rest on that
 * checkpoint: the new owner restores whatever is the latest complete one. A process that is
 * killed says nothing; the group notices after `job.task_session_timeout`.
 *
 * Draining (`drain`, SIGUSR2 to `sluice run`): the job ends instead of pausing. Every owned
 * task of the first stage ends its input now (`endInput`: +∞, every window and timer fires,
 * the final checkpoint commits the flush); a task of a later stage ends its input once every
 * upstream task's +∞ has reached its repartition inputs, so all processes of the job must be
 * told to drain. A task that ends drained writes its run summary (task-summary.ts) into its
 * own folder (task-paths.ts), which `sluice validate` reads.
 *
 * Stopping with a savepoint (`sluice savepoint`, a request through the task group): every
 * stage's instance of each owned task takes its part of the savepoint and is cancelled
 * (stop-with-savepoint.ts); a task whose latest checkpoint is a stop savepoint does not run
 * again unless the job is started from a savepoint (task-start.ts). Once every task it owns
 * is stopped so, the process leaves the group and ends.
 *
 * The process has one telemetry: every task's metrics carry `task="task-<p>"` and its spans
 * `sluice.task` (telemetry/task-spans.ts), the gauge
 * `sluice_tasks_owned` counts the tasks it runs, and `/ready` is 200 once every owned task
 * runs (restored, plugins open), its body naming them.
 */
import type { DependencyContainer } from 'tsyringe';
import { SluiceError } from '../../api/index.ts';
import type { Logger, TaskSlice } from '../../api/index.ts';
import type { Telemetry } from '../../telemetry/index.ts';
import { taskTelemetry } from '../../telemetry/task-spans.ts';
import type { CompiledPipeline } from '../graph/types.ts';
import { startJob } from '../engine/index.ts';
import { toSluiceError } from '../engine/run-errors.ts';
import type { EngineOptions, JobHandle, JobResult } from '../engine/index.ts';
import { layOutJob } from './partitioned.ts';
import type { FindPlugin } from './partitioned.ts';
import { REPARTITION, repartitionTopics, splitStages, stageTask } from './stages.ts';
import type { Stage } from './stages.ts';
import { runFolderOf, withTaskPaths } from './task-paths.ts';
import { writeTaskSummary } from './task-summary.ts';
import { endInputOf } from './end-input.ts';
import { stopTaskWithSavepoint } from './stop-with-savepoint.ts';
import type { TaskRequest } from '../../api/index.ts';
import { openJobAlignment } from './job-alignment.ts';

export interface TasksOptions {
  /** Engine options every task gets (its own container and task slice are added). */
  readonly engine: Omit<EngineOptions, 'container' | 'task'>;
  /** A fresh job container per task: its own state backend, checkpoint store, logger. */
  readonly container: () => DependencyContainer;
  readonly sessionTimeoutMs: number;
  readonly logger: Logger;
  /** Stops the process's tasks (checkpointed, not flushed) and leaves the group. */
  readonly signal?: AbortSignal;
  /** Ends the job (see above): the process drains its tasks, then leaves. */
  readonly drain?: AbortSignal;
  /** The run id and working folder, for the tasks' run summaries. */
  readonly runId?: string;
  readonly cwd?: string;
  /** Called after every rebalance with the tasks this process runs now. */
  readonly onTasks?: (owned: readonly number[]) => void;
  /** The process's telemetry, shared by its tasks (the caller shuts it down). */
  readonly telemetry: Telemetry;
  /** Where the sink half of a repartition pair is looked up (partitioned.ts; the built-ins by default). */
  readonly findPlugin?: FindPlugin;
}

export interface TasksResult {
  readonly status: 'stopped' | 'failed';
  /** The savepoint the process's tasks stopped at, when they did. */
  readonly savepoint?: string;
  /** Results of the task instances this process ran, by task id, in the order they ended. */
  readonly tasks: readonly (readonly [string, JobResult])[];
  readonly error?: SluiceError;
}

export function taskSlice(index: number, count: number): TaskSlice {
  return stageTask('', index, count);
}

/** Waits this long for a lost task's last checkpoint before it is cancelled anyway. */
const HANDOFF_CHECKPOINT_MS = 5_000;
const DRAIN_POLL_MS = 200;

export async function runTasks(pipeline: CompiledPipeline, o: TasksOptions): Promise<TasksResult> {
  const { layout, stages: cut } = await layOutJob(pipeline, o.logger, o.findPlugin);
  const stages = splitStages(pipeline, cut);
  await layout.createTopics(repartitionTopics(pipeline));
  // Watermark alignment across the job's tasks, here and in the other processes.
  const alignment = await openJobAlignment(layout, stages, o.logger);
  const runFolder = runFolderOf(pipeline);
  const repartitions = new Set(pipeline.operators.filter((op) => op.plugin.name === REPARTITION).map((op) => op.id));
  /** The stage each running handle is an instance of (for draining). */
  const stageOf = new Map<JobHandle, Stage>();
  /** When each handle's end has been handled (its summary written). */
  const endingOf = new Map<JobHandle, Promise<void>>();
  const group = layout.group(o.sessionTimeoutMs);
  /** Per owned index, the running instance of each stage's task p. */
  const running = new Map<number, JobHandle[]>();
  const ended: (readonly [string, JobResult])[] = [];
  const endings: Promise<void>[] = [];
  let fatal: SluiceError | undefined;
  /** Set once the process stops: assignments still arriving start nothing. */
  let closing = false;
  /** The savepoint this process's tasks stopped at (a request, or found on start). */
  let stoppedWith: string | undefined;
  /** Once every owned task is stopped at a savepoint, the process ends. */
  const endIfStopped = (): void => {
    if (stoppedWith !== undefined && running.size === 0 && !draining) {
      o.logger.info(`every task here is stopped at savepoint ${stoppedWith}: leaving`, { savepoint: stoppedWith });
      finish();
    }
  };
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));

  /** `<index>/<stage>` of the stage instances that run (restored, plugins open). */
  const ready = new Set<string>();
  const showReadiness = (): void => {
    const owned = [...running.keys()].sort((x, y) => x - y);
    const all = owned.length > 0 && owned.every((i) => stages.every((st) => ready.has(`${i}/${st.name}`)));
    o.telemetry.metricsServer?.setReady(all, `tasks: ${owned.map((i) => `task-${i}`).join(' ')}\n`);
  };
  const gauge = o.telemetry.meter.createObservableGauge('sluice_tasks_owned', { description: 'Tasks of the job this process runs (job.tasks).' });
  const observeOwned = (r: { observe(value: number): void }): void => r.observe(running.size);
  gauge.addCallback(observeOwned);

  /** Task p of every stage, each its own engine instance. */
  const start = (index: number): void => {
    const handles: JobHandle[] = [];
    running.set(index, handles);
    for (const stage of stages) {
      // The task group's session timeout too: the task's own consumer groups follow it (TaskSlice).
      const task = { ...stageTask(stage.name, index, layout.count), sessionTimeoutMs: o.sessionTimeoutMs };
      const key = `${index}/${stage.name}`;
      const onReady = (isReady: boolean): void => {
        if (isReady) ready.add(key);
        else ready.delete(key);
        showReadiness();
      };
      const stagePipeline = withTaskPaths(stage.pipeline, task.id, runFolder);
      alignment?.claim(task.id);
      const alignmentGroup = alignment && ((name: string) => alignment.group(task.id, name));
      const handle = startJob(stagePipeline, { ...o.engine, container: o.container(), task, logger: o.logger.child({ task: task.id }), metrics: null, telemetry: taskTelemetry(o.telemetry, task.id), onReady, ...(alignmentGroup ? { alignmentGroup } : {}) });
      handles.push(handle);
      stageOf.set(handle, stage);
      const result = handle.result.catch((error: unknown): JobResult => ({ status: 'failed', exitCode: 1, error: toSluiceError(error), restarts: 0, checkpoints: { completed: 0, declined: 0, lastId: undefined }, restoredFrom: undefined, recordsIn: 0, stages: {} }));
      const ending = result.then(async (r) => {
        alignment?.release(task.id);
        ended.push([task.id, r]);
        stageOf.delete(handle);
        const at = handles.indexOf(handle);
        if (at >= 0) handles.splice(at, 1);
        if (handles.length === 0 && running.get(index) === handles) running.delete(index);
        // A task that failed for good fails the process: its partitions must go elsewhere.
        if (r.status === 'failed') {
          fatal ??= r.error ?? new SluiceError('E_PLUGIN_FAILED', `${task.id} failed`);
          finish();
        }
        if (r.stoppedAt !== undefined) stoppedWith ??= r.stoppedAt;
        endIfStopped();
        if (r.status === 'finished') {
          const written = await writeTaskSummary({ whole: pipeline, stage: stagePipeline, stageName: stage.name, task, result: r, runId: o.runId ?? '', cwd: o.cwd ?? process.cwd() }).catch((error: unknown) => {
            o.logger.error(`${task.id}: no run summary written: ${(error as Error).message}`);
            return undefined;
          });
          if (written) o.logger.info(`${task.id} drained: summary ${written}`, { summary: written });
        }
      });
      endings.push(ending);
      endingOf.set(handle, ending);
    }
  };

  /** Checkpoints (if it can, quickly) and cancels every stage's instance of task p. */
  const stop = async (index: number, reason: string): Promise<void> => {
    const handles = running.get(index);
    if (!handles) return;
    running.delete(index);
    for (const st of stages) {
      ready.delete(`${index}/${st.name}`);
      // Its last watermark holds the job's alignment until the new owner publishes its own.
      alignment?.release(stageTask(st.name, index, layout.count).id);
    }
    showReadiness();
    await Promise.all([...handles].map(async (handle) => {
      const checkpointed = handle.current()?.triggerCheckpoint() ?? Promise.resolve(false);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([checkpointed.catch(() => false), new Promise((resolve) => (timer = setTimeout(resolve, HANDOFF_CHECKPOINT_MS)))]);
      clearTimeout(timer);
      handle.cancel(reason);
      await handle.result.catch(() => undefined);
    }));
  };

  /** A request for task p (through the group): a stop with savepoint, of every stage's instance. */
  const onRequest = async (index: number, request: TaskRequest): Promise<void> => {
    if (closing && !running.has(index)) throw new SluiceError('E_SAVEPOINT', `task-${index}: the process is stopping`);
    const handles = (running.get(index) ?? []).filter((h) => stageOf.has(h));
    await Promise.all(handles.map((handle) => {
      const stage = stageOf.get(handle)!;
      const downstream = stage.pipeline.sources.some((src) => repartitions.has(src.id));
      return stopTaskWithSavepoint({ task: stageTask(stage.name, index, layout.count).id, handle, downstream }, request.savepoint, o.logger, () => !stageOf.has(handle));
    }));
    stoppedWith ??= request.savepoint;
    // The instances end (cancelled) on their own; the last one's end calls endIfStopped.
    endIfStopped();
  };

  let draining: Promise<void> | undefined;
  const onTasks = (owned: readonly number[]): void => {
    const keep = new Set(owned);
    o.logger.info(`tasks assigned: ${owned.length ? owned.map((i) => `task-${i}`).join(', ') : 'none'}`, { tasks: owned, count: layout.count });
    // Draining, a process keeps the tasks it drains: processes that finished leave the group,
    // and the new assignment must not cancel a task that is ending its input.
    if (draining) return;
    for (const index of [...running.keys()]) if (!keep.has(index)) void stop(index, 'task assigned to another process');
    // Once its tasks stopped with a savepoint, a process starts no task it is given (they are stopped there too).
    if (!closing && stoppedWith === undefined) for (const index of owned) if (!running.has(index)) start(index);
    showReadiness();
    o.onTasks?.(owned);
  };

  /**
   * Ends task p of a stage: the first stage at once; a later one once its repartition inputs
   * are at +∞ (every upstream task drained), so none of their records is cut off.
   */
  const drainOne = async (handle: JobHandle): Promise<void> => {
    const stage = stageOf.get(handle);
    if (!stage) return;
    const inputs = stage.pipeline.sources.filter((s) => repartitions.has(s.id)).map((s) => s.id);
    for (;;) {
      if (o.signal?.aborted || !stageOf.has(handle)) return;
      const w = handle.current()?.watermarks();
      if (w && inputs.every((id) => w[id] === Number.POSITIVE_INFINITY)) break;
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
    await endInputOf(handle, endingOf.get(handle), DRAIN_POLL_MS);
  };
  const onDrain = (): void => {
    if (draining) return;
    closing = true;
    o.logger.info(`draining: ${[...running.keys()].map((i) => `task-${i}`).join(', ') || 'no tasks'}`);
    draining = Promise.all([...running.values()].flat().map(drainOne)).then(() => finish());
  };
  // One process cannot take a savepoint of the job alone: the endpoint says how.
  o.telemetry.metricsServer?.setSavepointHandler(() => Promise.reject(new SluiceError('E_SAVEPOINT', `a job run as tasks is stopped with a savepoint by \`sluice savepoint <pipeline>\` with the job's config, which reaches every task through its task group`)));
  o.drain?.addEventListener('abort', onDrain, { once: true });
  const onAbort = (): void => finish();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await group.join(onTasks, (error) => {
      fatal ??= new SluiceError('E_TASKS', `the job's task group failed: ${error.message}`, { cause: error });
      finish();
    }, onRequest);
    if (o.signal?.aborted) finish();
    if (o.drain?.aborted) onDrain();
    await done;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    o.drain?.removeEventListener('abort', onDrain);
    closing = true;
    await Promise.all([...running.keys()].map((index) => stop(index, fatal ? 'the process is failing' : 'the process is stopping')));
    await group.leave().catch(() => undefined);
    await Promise.all(endings);
    await alignment?.close().catch((error: unknown) => o.logger.warn(`watermark board: ${(error as Error).message}`));
    gauge.removeCallback(observeOwned);
    o.telemetry.metricsServer?.setSavepointHandler(undefined);
    o.telemetry.metricsServer?.setReady(false, '');
  }
  return fatal ? { status: 'failed', tasks: ended, error: fatal } : { status: 'stopped', tasks: ended, ...(stoppedWith !== undefined ? { savepoint: stoppedWith } : {}) };
}
