/**
 * One attempt of a job: restore, open, run every task loop until end of input or a stop,
 * checkpoint, close. A failure anywhere (a plugin failing as a whole, too many declined
 * checkpoints) abandons the attempt: loops leave, plugins are closed best-effort, and the
 * error goes to `runJob`, which restarts from the last checkpoint.
 *
 * Stopping (SIGINT/SIGTERM through the AbortSignal, or `maxEvents` reached): sources stop
 * polling, the graph drains, the shutdown checkpoint is taken — before the flush, so a
 * restart resumes the stream exactly where it stopped — then every source sends +∞ and its
 * end, so every window and timer fires (what end of input fires), sinks get the results,
 * and plugins close in reverse order.
 */
import { SluiceError } from '../../api/index.ts';
import { newSavepointId } from '../checkpoint/savepoints.ts';
import type { EngineMetrics } from '../../telemetry/index.ts';
import { closeInReverse } from '../plugins/lifecycle.ts';
import { openOrStop, refusedStart } from './open-plugins.ts';
import { EventBudget, sleep } from './budget.ts';
import { Checkpointer, SOURCES_ENTRY, operatorEntry } from './checkpointer.ts';
import { COUNTS_ENTRY, restoreCounts } from './stage-counts.ts';
import type { StageCountsSnapshot } from './stage-counts.ts';
import type { CheckpointIds } from './checkpointer.ts';
import type { RunningJob, SavepointOptions, SavepointTaken, StageCounts } from './options.ts';
import type { OperatorTaskSnapshot } from './operator-task.ts';
import { loadRestorePoint } from './restore.ts';
import type { RestorePoint, SavepointBase } from './restore.ts';
import { NoMatchingCheckpoint, planExactlyOnce } from './exactly-once.ts';
import type { ExactlyOncePlan } from './exactly-once.ts';
import type { EngineSettings } from './settings.ts';
import type { SourceWatermarkState } from './source-watermarks.ts';
import type { JobTasks } from './tasks.ts';
import { buildTasks } from './tasks.ts';
import { wireJob } from './wiring.ts';
import { inFlightOf, restoreInFlight } from './in-flight.ts';
import type { Wiring } from './wiring.ts';
import type { OperatorHostSnapshot } from '../state/index.ts';
import { toSluiceError } from './run-errors.ts';
import { publishGeneration } from './generation.ts';

export interface AttemptResult {
  readonly status: 'finished' | 'stopped';
  readonly restore: RestorePoint;
  readonly checkpointer: Checkpointer;
  readonly stages: Record<string, StageCounts>;
  readonly recordsIn: number;
}

/** Thrown out of an attempt; `restore` tells what it had restored (for the result). */
export class AttemptFailed extends Error {
  constructor(
    readonly error: SluiceError,
    readonly checkpointer: Checkpointer | undefined,
    /** True when restarting cannot help (the job itself was done). */
    readonly final = false,
    /** The attempt was cancelled (`cancel`): the job stops, neither failed nor restarted. */
    readonly cancelled = false,
  ) {
    super(error.message, { cause: error });
  }
}

export class JobAttempt implements RunningJob {
  private wiring: Wiring | undefined;
  private tasks: JobTasks | undefined;
  private checkpointer: Checkpointer | undefined;
  private failed: SluiceError | undefined;
  private failWith: ((e: SluiceError) => void) | undefined;
  private readonly failure: Promise<never>;
  private readonly abort = new AbortController();
  private stopReason: string | undefined;
  /** `endInput` was called: the stop ends the input (flush, final checkpoint) instead of pausing it. */
  private ending = false;
  private cancelReason: string | undefined;
  /** A stop savepoint was asked for: no other checkpoint follows it (the caller cancels the attempt after it). */
  private stoppingAtSavepoint = false;

  constructor(
    private readonly s: EngineSettings,
    readonly attempt: number,
    private readonly ids: CheckpointIds,
    private readonly metrics: EngineMetrics,
    private readonly ignoreUpTo: number,
    private readonly generation: number,
    /** The savepoint the run starts from (`--from-savepoint`), if any. */
    private readonly base?: SavepointBase,
  ) {
    this.failure = new Promise<never>((_, reject) => {
      this.failWith = reject;
    });
    this.failure.catch(() => undefined);
  }

  // ---- RunningJob ----

  queueDepths(): Record<string, number> {
    return Object.fromEntries((this.wiring?.queues ?? []).map((q) => [q.name, q.depth]));
  }

  peakQueueDepths(): Record<string, number> {
    return Object.fromEntries((this.wiring?.queues ?? []).map((q) => [q.name, q.peak]));
  }

  watermarks(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.tasks?.sources ?? []) out[s.id] = s.watermarks.current;
    for (const { task } of this.tasks?.operators ?? []) out[task.id] = task.watermark;
    return out;
  }

  /** How far each operator's watermark trails the newest event time read upstream (where known). */
  watermarkLags(): [string, number][] {
    const out: [string, number][] = [];
    for (const { task } of this.tasks?.operators ?? []) {
      const lag = task.watermarkLag();
      if (lag !== undefined) out.push([task.id, lag]);
    }
    return out;
  }

  /** Partitions paused by watermark alignment, per aligned source. */
  alignmentPaused(): [string, number][] {
    return (this.tasks?.sources ?? []).flatMap((s) => (s.alignment ? [[s.id, s.alignment.pausedCount] as [string, number]] : []));
  }

  backpressure(): [string, number][] {
    return (this.tasks?.sources ?? []).map((s) => [s.id, s.takeBackpressure()]);
  }

  stageCounts(): Record<string, StageCounts> {
    return this.tasks ? this.countStages(this.tasks) : {};
  }

  triggerCheckpoint(): Promise<boolean> {
    // A failed attempt's plugins are closed: a checkpoint of it would record no real positions.
    if (this.failed || this.stoppingAtSavepoint) return Promise.resolve(false);
    return this.checkpointer ? this.checkpointer.take('manual') : Promise.resolve(false);
  }

  async triggerSavepoint(options: SavepointOptions = {}): Promise<SavepointTaken> {
    const store = this.s.store;
    if (!store) throw new SluiceError('E_SAVEPOINT', 'the job has no checkpoint store, so it cannot take a savepoint');
    if (!this.checkpointer) throw new SluiceError('E_SAVEPOINT', 'the job is not running yet (restoring or opening its plugins); try again');
    if (this.stopReason || this.failed) throw new SluiceError('E_SAVEPOINT', `the job is ${this.failed ? 'failing' : `stopping (${this.stopReason})`}; no savepoint taken`);
    // Set once every loop has left (end of input): only the final checkpoint is still to come.
    if (this.abort.signal.aborted) throw new SluiceError('E_SAVEPOINT', 'the job reached the end of its input and is finishing; no savepoint taken');
    const id = options.id ?? newSavepointId();
    if (options.stop) this.stoppingAtSavepoint = true;
    const checkpoint = await this.checkpointer.savepoint(options.stop ? { id, stop: true } : { id });
    if (checkpoint === undefined) this.stoppingAtSavepoint = false;
    if (checkpoint === undefined) throw new SluiceError('E_SAVEPOINT', `savepoint ${id} was declined (its checkpoint failed or timed out; the job's log says why)`);
    return { id, checkpoint, store: store.describe() };
  }

  startedFrom(): string | undefined {
    return this.checkpointer?.from;
  }

  savepointReached(id: string): boolean {
    const marked = (this.tasks?.sources ?? []).filter((s) => s.savepointReached !== undefined);
    return marked.length > 0 && marked.every((s) => s.savepointReached!(id));
  }

  /** The savepoint this attempt's run started from: restored from it, or from a checkpoint of a run that was. */
  private lineage(restore: RestorePoint): string | undefined {
    const m = restore.manifest;
    if (!m) return undefined;
    return this.base && m === this.base.manifest ? m.savepoint?.id : m.from;
  }

  /** Stops the sources; the attempt then drains, checkpoints and finishes. */
  requestStop(reason: string): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.s.logger.info(`stopping: ${reason}`);
    for (const src of this.tasks?.sources ?? []) void src.stop();
  }

  endInput(reason: string): void {
    this.ending = true;
    this.requestStop(reason);
  }

  /**
   * Ends the attempt at once, without a checkpoint or flush: loops leave and plugins close,
   * as on a failure, but the job is not restarted (a task that moved to another process).
   */
  cancel(reason: string): void {
    if (this.failed) return;
    this.cancelReason = reason;
    this.s.logger.info(`cancelling: ${reason}`);
    this.fail(new SluiceError('E_CANCELLED', `cancelled: ${reason}`));
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = toSluiceError(error);
    this.abort.abort();
    // Wake every loop so it sees the abort and leaves.
    for (const inbox of this.wiring?.inboxes.values() ?? []) inbox.signal.notify();
    this.wiring?.late.inbox.signal.notify();
    this.wiring?.deadLetter.inbox.signal.notify();
    this.failWith?.(this.failed);
  }

  /** Before a step that acts on shared outputs (fencing, opening sinks): a cancelled attempt ends here. */
  private leaveIfCancelled(): void {
    if (this.cancelReason !== undefined) throw new AttemptFailed(this.failed!, undefined, true, true);
  }

  /** Whether the store holds a checkpoint this attempt could have restored (not one `--reset-state` ignores). */
  private async checkpointAppeared(): Promise<boolean> {
    const latest = await this.s.store?.latest().catch(() => undefined);
    return latest !== undefined && latest.id > this.ignoreUpTo;
  }

  private race<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.failure]);
  }

  // ---- the attempt ----

  async run(): Promise<AttemptResult> {
    const s = this.s;
    const aborted = () => this.failed !== undefined;
    let eos: ExactlyOncePlan | undefined;
    try {
      eos = planExactlyOnce(s);
    } catch (error) {
      throw new AttemptFailed(toSluiceError(error), undefined, true);
    }
    // A task cancelled while it starts (moved on at once) must not fence or restore over its new owner.
    this.leaveIfCancelled();
    const restore = await loadRestorePoint(s, this.ignoreUpTo, this.attempt, this.generation, this.base, eos).catch((error: unknown) => {
      // Committed offsets that match no checkpoint do not change with a restart.
      throw error instanceof NoMatchingCheckpoint ? new AttemptFailed(error, undefined, true) : error;
    });
    publishGeneration(s, restore.generation);
    const wiring = (this.wiring = wireJob(s.pipeline, s.queueCapacity));
    const budget = new EventBudget(s.maxEvents, () => this.requestStop(`max events (${s.maxEvents}) reached`));
    const tasks = (this.tasks = await buildTasks({
      s,
      wiring,
      metrics: this.metrics,
      budget,
      aborted,
      abortSignal: this.abort.signal,
      sourcePositions: restore.manifest?.sources ?? {},
      sinkPositions: restore.manifest?.sinks ?? {},
    }));
    this.leaveIfCancelled();
    const opened = await openOrStop(tasks.lifecycles, s.signal, s.logger).catch(async (error: unknown) => {
      const refused = refusedStart(error);
      if (!refused) throw error;
      // Started fresh, and a checkpoint appeared while the plugins opened: another instance of
      // the task (its old owner, in a hand-off) took it and committed its source positions.
      // The next attempt restores it; only positions without any checkpoint end the job.
      if (restore.manifest === undefined && (await this.checkpointAppeared())) {
        s.logger.warn('a checkpoint of this job appeared while it opened without one (another instance of the task took it): restarting to restore it');
        throw new AttemptFailed(refused, undefined, false);
      }
      throw new AttemptFailed(refused, undefined, true);
    });
    const closeAll = () => closeInReverse(opened, (item, error) => s.logger.error(`closing ${item.kind} '${item.id}' failed`, { error: (error as Error)?.message }));
    const checkpointer = (this.checkpointer = new Checkpointer(
      s,
      { sources: tasks.sources, operators: tasks.operators, sinks: [...tasks.sinks, tasks.late, tasks.deadLetter], flow: wiring.flow, queues: wiring.queues, eos },
      this.ids,
      restore.generation,
      this.metrics,
      (e) => this.fail(e),
    ));
    checkpointer.from = this.lineage(restore);
    const timers: NodeJS.Timeout[] = [];
    const onSignal = () => this.requestStop('shutdown signal');
    try {
      this.applyRestore(tasks, restore);
      restoreInFlight(wiring.queues, wiring.flow, inFlightOf(restore.entries));
      budget.spend(tasks.sources.reduce((n, t) => n + t.recordsIn, 0));
      s.signal?.addEventListener('abort', onSignal, { once: true });
      if (s.signal?.aborted) onSignal();
      s.setReady(true);
      // A job run as tasks is stopped with a savepoint through its task group (scale/stop-with-savepoint.ts): a task does not take the endpoint.
      if (!s.task) s.telemetry.metricsServer?.setSavepointHandler(() => this.triggerSavepoint());
      s.onStart?.(this);
      const guard = (p: Promise<void>) => p.catch((e: unknown) => this.fail(e));
      const sinkLoops = tasks.sinks.map((t) => guard(t.run()));
      const sideLoops = [guard(tasks.late.run()), guard(tasks.deadLetter.run())];
      const opLoops = tasks.operators.map(({ task }) => guard(task.run()));
      const sourceLoops = tasks.sources.map((t) => guard(t.start()));
      if (this.stopReason) for (const src of tasks.sources) void src.stop();
      timers.push(this.processingTimeTicker(tasks));
      const periodic = this.periodicCheckpoints(checkpointer);

      await this.race(Promise.all(sourceLoops));
      const stopped = !this.ending && tasks.sources.some((t) => !t.exhausted);
      if (stopped) {
        await this.race(wiring.flow.drained());
        if (budget.overshot) s.logger.warn('a source returned more than max events allowed; no shutdown checkpoint (its position is past the records admitted)');
        else if (checkpointer.enabled) await this.race(checkpointer.take('shutdown'));
      }
      for (const src of tasks.sources) src.finish();
      await this.race(Promise.all(opLoops));
      await this.race(Promise.all(sinkLoops));
      wiring.late.outlet.push({ end: true });
      wiring.deadLetter.outlet.push({ end: true });
      await this.race(Promise.all(sideLoops));
      this.abort.abort();
      await this.race(periodic);
      if (!stopped && checkpointer.enabled) await this.race(checkpointer.take('final'));
    } catch (error) {
      this.fail(error);
    } finally {
      s.setReady(false);
      if (!s.task) s.telemetry.metricsServer?.setSavepointHandler(undefined);
      for (const t of timers) clearInterval(t);
      s.signal?.removeEventListener('abort', onSignal);
    }
    if (this.failed) {
      // A checkpoint still writing in the background must not commit after this attempt.
      checkpointer.abandon();
      await closeAll();
      throw new AttemptFailed(this.failed, checkpointer, this.cancelReason !== undefined, this.cancelReason !== undefined);
    }
    try {
      await closeInReverse(opened);
    } catch (error) {
      throw new AttemptFailed(toSluiceError(error), checkpointer, true);
    }
    return { status: !this.ending && tasks.sources.some((t) => !t.exhausted) ? 'stopped' : 'finished', restore, checkpointer, stages: this.countStages(tasks), recordsIn: tasks.sources.reduce((n, t) => n + t.recordsIn, 0) };
  }

  private applyRestore(tasks: JobTasks, restore: RestorePoint): void {
    const sources = restore.entries.get(SOURCES_ENTRY) as Record<string, SourceWatermarkState> | undefined;
    for (const src of tasks.sources) {
      src.declarePartitions();
      const state = sources?.[src.id];
      if (state) src.restore(state);
    }
    for (const { task, host } of tasks.operators) {
      const entry = restore.entries.get(operatorEntry(task.id)) as { host: OperatorHostSnapshot; task: OperatorTaskSnapshot } | undefined;
      if (!entry) continue;
      host.restore(entry.host);
      task.restore(entry.task);
    }
    restoreCounts({ ...tasks, sinks: [...tasks.sinks, tasks.late, tasks.deadLetter] }, restore.entries.get(COUNTS_ENTRY) as StageCountsSnapshot | undefined);
  }

  /** Wakes the operators when processing time moved, so processing-time timers fire without input. */
  private processingTimeTicker(tasks: JobTasks): NodeJS.Timeout {
    let last = this.s.clock.now();
    const timer = setInterval(() => {
      const now = this.s.clock.now();
      if (now === last) return;
      last = now;
      for (const inbox of this.wiring?.inboxes.values() ?? []) inbox.signal.notify();
    }, 10);
    timer.unref();
    void tasks;
    return timer;
  }

  private async periodicCheckpoints(checkpointer: Checkpointer): Promise<void> {
    const interval = this.s.checkpoint.interval;
    if (!checkpointer.enabled || !(interval > 0)) return;
    const signal = this.abort.signal;
    for (;;) {
      await sleep(interval, signal);
      if (signal.aborted || this.stopReason || this.stoppingAtSavepoint) return;
      try {
        await checkpointer.take('periodic');
      } catch (error) {
        this.fail(error);
        return;
      }
    }
  }

  private countStages(tasks: JobTasks): Record<string, StageCounts> {
    const out: Record<string, StageCounts> = {};
    for (const t of tasks.sources) out[t.id] = { in: t.recordsIn, out: t.recordsIn - t.deadLettered, late: 0, deadLettered: t.deadLettered };
    for (const { task, host } of tasks.operators) {
      out[task.id] = {
        in: task.recordsIn, out: task.recordsOut, late: host.counters.get('late') ?? 0, deadLettered: host.counters.get('dead_lettered') ?? 0,
        counters: Object.fromEntries(host.counters),
      };
    }
    for (const t of tasks.sinks) out[t.id] = { in: t.written + t.rejected, out: t.written, late: 0, deadLettered: t.rejected };
    for (const t of [tasks.late, tasks.deadLetter]) out[t.id] = { in: t.written + t.rejected, out: t.written, late: 0, deadLettered: t.rejected, byStream: t.byStream };
    return out;
  }
}
