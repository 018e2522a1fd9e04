/**
 * `runJob`: runs a compiled pipeline until end of input, a stop, or a failure it cannot
 * recover from. A failing attempt is restarted from the last complete checkpoint with
 * exponential back-off and jitter, at most `restart.max_attempts` times; then the job
 * fails with the last error (exit code 1).
 */
import { SluiceError } from '../../api/index.ts';
import type { CheckpointManifest } from '../../api/index.ts';
import { EngineMetrics } from '../../telemetry/index.ts';
import type { MetricsServer } from '../../telemetry/index.ts';
import type { CompiledPipeline } from '../graph/types.ts';
import { sleep } from './budget.ts';
import { CheckpointIds, ownerIds } from './checkpointer.ts';
import { AttemptFailed, JobAttempt } from './job.ts';
import type { AttemptResult } from './job.ts';
import type { EngineOptions, JobResult, RunningJob } from './options.ts';
import { retryCannotHelp, toSluiceError } from './run-errors.ts';
import { resolveSettings } from './settings.ts';
import { savepointBase } from './savepoint-base.ts';
import { taskStart } from '../scale/task-start.ts';
export { restoreGeneration } from './generation.ts';
import type { EngineSettings } from './settings.ts';

export interface JobHandle {
  readonly result: Promise<JobResult>;
  /** The attempt running now, if any. */
  current(): RunningJob | undefined;
  /**
   * Stops the job at once, without a final checkpoint or flush, and without a restart; the
   * result is `stopped`. What the last completed checkpoint holds is what a successor resumes.
   */
  cancel(reason: string): void;
}

/** Back-off before restart `n` (0-based): initial · 2ⁿ capped at max, with equal jitter. */
export function restartDelay(n: number, initial: number, max: number, random: () => number = Math.random): number {
  const ceiling = Math.min(max, initial * 2 ** Math.min(n, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}

export function startJob(pipeline: CompiledPipeline, options: EngineOptions = {}): JobHandle {
  /** The attempt running now; undefined between a failed attempt and its restart. */
  let current: JobAttempt | undefined;
  let cancelled: string | undefined;
  const result = (async () => {
    const s = await resolveSettings(pipeline, options);
    let served: MetricsServer | undefined;
    try {
      served = await serveMetrics(s);
      return await supervise(s, (a) => {
        current = a;
        if (a && cancelled !== undefined) a.cancel(cancelled);
      });
    } finally {
      s.setReady(false);
      // A server the job started goes with the job; one the caller started stays theirs.
      if (served && !s.ownsTelemetry) await served.close();
      if (s.ownsTelemetry) {
        await s.telemetry.flush().catch(() => undefined);
        await s.telemetry.shutdown().catch(() => undefined);
      }
    }
  })();
  return {
    result,
    current: () => current,
    cancel: (reason) => {
      cancelled ??= reason;
      current?.cancel(reason);
    },
  };
}

/** Starts `/metrics` and `/ready` when asked and the telemetry serves none yet; returns the server started. */
async function serveMetrics(s: EngineSettings): Promise<MetricsServer | undefined> {
  const at = s.metricsEndpoint;
  if (!at || s.telemetry.metricsServer) return undefined;
  try {
    const server = await s.telemetry.serveMetrics(at.host, at.port);
    s.logger.info(`metrics on http://${at.host}:${server.port}/metrics, readiness on /ready`, { port: server.port });
    return server;
  } catch (cause) {
    throw new SluiceError('E_RUNTIME_CONFIG', `cannot serve metrics on ${at.host}:${at.port} (metrics.host, metrics.port): ${(cause as Error).message}`, { cause });
  }
}

export function runJob(pipeline: CompiledPipeline, options: EngineOptions = {}): Promise<JobResult> {
  return startJob(pipeline, options).result;
}

async function supervise(s: EngineSettings, setCurrent: (a: JobAttempt | undefined) => void): Promise<JobResult> {
  const metrics = new EngineMetrics(s.telemetry.meter, s.task ? { task: s.task.id } : {});
  let current: JobAttempt | undefined;
  metrics.observe({
    watermarks: () => Object.entries(current?.watermarks() ?? {}),
    watermarkLags: () => current?.watermarkLags() ?? [],
    queueDepths: () => Object.entries(current?.queueDepths() ?? {}),
    backpressure: () => current?.backpressure() ?? [],
    stateBytes: () => s.backend.approximateBytes?.(),
    alignmentPaused: () => current?.alignmentPaused() ?? [],
  });
  try {
    return await superviseAttempts(s, metrics, (a) => {
      current = a;
      setCurrent(a);
    });
  } finally {
    // A task ends while its process goes on: its gauges must not report it any more. A whole
    // job's stay readable after it ended (its process exits; tests read them).
    if (s.task) metrics.close();
  }
}

/**
 * The store's latest checkpoint, before any attempt runs. A store that fails is asked again
 * with the restarts' back-off, as many times as a job restarts (a checkpoint table created a
 * moment ago answers HTTP 410 until its region opens); then the job fails with its error.
 */
async function latestCheckpoint(s: EngineSettings): Promise<CheckpointManifest | undefined> {
  if (!s.store) return undefined;
  for (let tries = 0; ; tries++) {
    try {
      return await s.store.latest();
    } catch (error) {
      if (tries >= s.restart.maxAttempts || s.signal?.aborted) throw error;
      const delay = restartDelay(tries, s.restart.initialBackoff, s.restart.maxBackoff);
      s.logger.warn(`reading the latest checkpoint from ${s.store.describe()} failed: ${(error as Error).message}; asking again in ${Math.round(delay)} ms`, { tries: tries + 1 });
      await sleep(delay, s.signal);
    }
  }
}

/** Runs attempts until one finishes or stops, or restarting cannot help. */
async function superviseAttempts(s: EngineSettings, metrics: EngineMetrics, setCurrent: (a: JobAttempt | undefined) => void): Promise<JobResult> {
  const latest = await latestCheckpoint(s);
  // A whole job's attempts share one sequence. Every attempt of a task takes a block of ids of
  // its own above the latest (checkpointer.ts): another instance of the task may be writing.
  const wholeIds = new CheckpointIds(latest?.id ?? 0);
  const idsFor = async (restart: number) => (!s.task ? wholeIds : ownerIds((restart === 0 ? latest : await latestCheckpoint(s))?.id ?? 0));
  // A task of a job run as tasks: stopped at a stop savepoint, or the savepoint resumed (scale/task-start.ts).
  const start = s.task ? taskStart(s.task.id, latest, s.fromSavepoint) : undefined;
  if (start?.kind === 'stopped') {
    s.logger.info(`${s.task!.id} stopped at savepoint ${start.savepoint} (checkpoint ${latest!.id}): not running it; start the job with --from-savepoint ${start.savepoint} to go on`, { savepoint: start.savepoint });
    return { status: 'stopped', exitCode: 0, restarts: 0, checkpoints: { completed: 0, declined: 0, lastId: undefined }, restoredFrom: { id: latest!.id, store: s.store!.describe() }, recordsIn: 0, stages: {}, stoppedAt: start.savepoint };
  }
  if (start?.kind === 'resume' && s.fromSavepoint !== undefined && latest) s.logger.info(`resuming checkpoint ${latest.id} of the run started from savepoint ${s.fromSavepoint}`, { checkpoint: latest.id, savepoint: s.fromSavepoint });
  const base = start?.kind === 'resume' ? undefined : await savepointBase(s, latest);
  const ignoreUpTo = s.resetState || base ? (latest?.id ?? 0) : 0;
  if (s.resetState && latest) s.logger.info(`reset state: ignoring checkpoints up to ${latest.id} in ${s.store!.describe()}`);
  let restarts = 0;
  let completed = 0;
  let declined = 0;
  let lastId: number | undefined;
  for (;;) {
    const attempt = new JobAttempt(s, restarts, await idsFor(restarts), metrics, ignoreUpTo, 0, base);
    setCurrent(attempt);
    let outcome: AttemptResult | undefined;
    let failure: AttemptFailed | undefined;
    try {
      outcome = await attempt.run();
    } catch (error) {
      failure = error instanceof AttemptFailed ? error : new AttemptFailed(toSluiceError(error), undefined);
    }
    const cp = outcome?.checkpointer ?? failure?.checkpointer;
    completed += cp?.completed ?? 0;
    declined += cp?.declined ?? 0;
    lastId = cp?.lastId ?? lastId;
    if (outcome) {
      const m = outcome.restore.manifest;
      s.logger.info(`job ${outcome.status}`, { records_in: outcome.recordsIn, restarts, checkpoints: completed });
      return {
        status: outcome.status,
        exitCode: 0,
        restarts,
        checkpoints: { completed, declined, lastId },
        restoredFrom: m ? { id: m.id, store: s.store!.describe() } : undefined,
        recordsIn: outcome.recordsIn,
        stages: outcome.stages,
      };
    }
    const error = failure!.error;
    if (failure!.cancelled) {
      s.logger.info('job cancelled', { restarts, checkpoints: completed });
      return { status: 'stopped', exitCode: 0, restarts, checkpoints: { completed, declined, lastId }, restoredFrom: undefined, recordsIn: 0, stages: {} };
    }
    const permanent = retryCannotHelp(error);
    const giveUp = failure!.final || permanent !== undefined || restarts >= s.restart.maxAttempts || s.signal?.aborted === true;
    s.logger.error(`job attempt ${restarts + 1} failed: ${error.message}`, { code: error.code, restarts, max_attempts: s.restart.maxAttempts });
    if (permanent) s.logger.error(`not restarting: a restart cannot fix this [${permanent.code}]`, { code: permanent.code });
    s.onAttemptFailed?.(restarts, error, !giveUp);
    if (!giveUp) {
      // In the back-off the failed attempt is not the job's current one: a hand-off checkpoint
      // or a drain asked of it would go to an attempt whose plugins are closed.
      setCurrent(undefined);
      const delay = restartDelay(restarts, s.restart.initialBackoff, s.restart.maxBackoff);
      s.logger.warn(`restarting from the last checkpoint in ${Math.round(delay)} ms`, { attempt: restarts + 2 });
      await sleep(delay, s.signal);
    }
    if (giveUp || s.signal?.aborted) {
      return {
        status: 'failed',
        exitCode: 1,
        error,
        restarts,
        checkpoints: { completed, declined, lastId },
        restoredFrom: undefined,
        recordsIn: 0,
        stages: {},
      };
    }
    restarts++;
    metrics.restart();
  }
}
