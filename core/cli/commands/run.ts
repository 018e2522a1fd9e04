/**
 * `sluice run <pipeline>`: loads the runtime config, the plugins (built-ins and the
 * pipeline's packages), compiles the pipeline, creates the job's container and runs it
 * until end of input, `--events N`, or SIGINT/SIGTERM (graceful: drain, checkpoint, close).
 *
 * Every run has an id, `RUN_ID` in the pipeline's environment (set it to choose one), so a
 * pipeline can write each run to a folder of its own. When a sink declares a `run_summary`
 * (run-summary.ts), the run is such a run: its checkpoints go to `<summary folder>/state`
 * (unless `job.state_dir` is set), so a new run starts fresh instead of resuming another,
 * and the summary is written when the run ends, also after Ctrl-C.
 */
import { dirname, resolve } from 'node:path';
import { SluiceError, services } from '../../api/index.ts';
import type { Logger } from '../../api/index.ts';
import type { RuntimeConfig } from '../../../config/schema.ts';
import type { CompiledPipeline } from '../../runtime/graph/types.ts';
import type { Telemetry } from '../../telemetry/index.ts';
import { createJobContainer } from '../../runtime/di/index.ts';
import type * as Engine from '../../runtime/engine/index.ts';
import { EXIT } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { loadPipeline } from '../pipeline.ts';
import { loadJobConfig } from './job-config.ts';
import { useRuntimeSasl } from '../../../lib/kafka-client/runtime-sasl.ts';
import type { RunUi } from '../../ui/run-ui.ts';
import { uiPagesOf } from '../contributed.ts';
import { addInputsToReport, formatRunInputs, runSummaryDeclaration, writeRunSummary } from './run-summary.ts';
import { alreadyFinished, formatRunEnd, restoredRecords, resumeCommand } from './run-report.ts';
import { pluginPathsAllowed } from '../../runtime/plugins/index.ts';

export interface RunOptions {
  readonly profile?: string;
  readonly set: readonly string[];
  readonly events?: number;
  readonly resetState?: boolean;
  /** Start this many local processes of the job as tasks (`job.tasks`). */
  readonly workers?: number;
  /** Start from this savepoint instead of the latest checkpoint. */
  readonly fromSavepoint?: string;
  /** With `fromSavepoint`: drop the state of removed operators instead of refusing. */
  readonly allowDroppedState?: boolean;
  /** Serve the web UI (`--ui [port]`): true takes `ui.port`, or a free port when that is 0. */
  readonly ui?: true | number;
}

/** The engine, imported when a job runs: `lint` and `graph` start without loading it. */
async function engine(): Promise<typeof Engine> {
  return import('../../runtime/engine/index.ts');
}

/** SIGINT/SIGTERM abort the run (graceful stop); `release` stops listening. */
function stopOnSignals(): { abort: AbortController; release: () => void } {
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    abort,
    release: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

export function describeError(error: unknown): string {
  if (error instanceof SluiceError) return `error [${error.code}]: ${error.message}`;
  return `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

/** A run id that sorts by start time: `20261127-001500-3f2a`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0')}`;
}

/**
 * A run id names one folder under the runs folder (pipelines write to `…/${RUN_ID}/…`), so
 * it must be a single plain path segment: no separator, no `..`, nothing a shell quotes.
 */
export function isRunId(id: string): boolean {
  return /^[A-Za-z0-9._-]{1,128}$/.test(id) && id !== '.' && id !== '..';
}

export async function run(file: string, options: RunOptions, cliIo: CliIo): Promise<ExitCode> {
  const chosen = cliIo.env.RUN_ID;
  if (chosen && !isRunId(chosen)) {
    cliIo.err(`error [E_USAGE]: RUN_ID must be one folder name (letters, digits, '.', '_', '-'; not '.' or '..'; at most 128 characters), got ${JSON.stringify(chosen.slice(0, 80))}\n`);
    return EXIT.USAGE;
  }
  if (options.workers !== undefined) {
    if (options.events !== undefined) {
      cliIo.err('error [E_USAGE]: --events cannot be combined with --workers (a job run as tasks reads Kafka, which never ends)\n');
      return EXIT.USAGE;
    }
    const { runWorkers } = await import('./run-workers.ts');
    return runWorkers(file, options, options.workers, cliIo);
  }
  const runId = cliIo.env.RUN_ID || newRunId();
  const io: CliIo = { out: cliIo.out, err: cliIo.err, cwd: cliIo.cwd, env: { ...cliIo.env, RUN_ID: runId } };
  const { pipeline, registry, exit } = await loadPipeline(file, options.profile, io);
  if (!pipeline) return exit;
  const summary = runSummaryDeclaration(pipeline);
  const loaded = loadJobConfig(pipeline, options.set, io);
  if (typeof loaded === 'number') return loaded;
  useRuntimeSasl(loaded.config.kafka.sasl);
  if (loaded.config.job.tasks) return runAsTasks(pipeline, loaded.config, options, io);
  const container = createJobContainer(loaded.config, { job: pipeline.name });
  const { abort, release } = stopOnSignals();
  let ui: { telemetry: Telemetry; run: RunUi } | undefined;
  let status = 'failed';
  try {
    const { runJob, configuredTelemetry } = await engine();
    const uiPort = options.ui === true ? loaded.config.ui.port : (options.ui ?? (loaded.config.ui.port > 0 ? loaded.config.ui.port : undefined));
    if (uiPort !== undefined) {
      // The UI reads the job's own metrics, so this run owns the telemetry (the job then does not).
      const { startRunUi } = await import('../../ui/run-ui.ts');
      const telemetry = configuredTelemetry(pipeline.name, loaded.config);
      const folder = summary !== undefined ? dirname(resolve(io.cwd, summary.path)) : resolve(io.cwd, '.sluice/runs', pipeline.name, runId);
      const logger = container.resolve<Logger>(services.logger.id);
      ui = { telemetry, run: await startRunUi({ pipeline, config: loaded.config, telemetry, runId, folder, port: uiPort, logger, pages: uiPagesOf(registry) }, io.cwd) };
      io.err(`web UI: ${ui.run.server.url()}\n`);
    }
    // What the sources had read when the last attempt started (restored from its checkpoint).
    let readAtStart: number | undefined;
    const onStart: Engine.EngineOptions['onStart'] = (job) => {
      readAtStart = restoredRecords(job.stageCounts(), pipeline);
      ui?.run.hooks.onStart?.(job);
    };
    const result = await runJob(pipeline, {
      container,
      signal: abort.signal,
      ...(ui ? { telemetry: ui.telemetry, ...ui.run.hooks } : {}),
      onStart,
      ...(options.events !== undefined ? { maxEvents: options.events } : {}),
      ...(options.resetState ? { resetState: true } : {}),
      ...(options.fromSavepoint !== undefined ? { fromSavepoint: options.fromSavepoint, allowDroppedState: options.allowDroppedState === true } : {}),
    });
    status = result.status;
    const { completed, declined } = result.checkpoints;
    io.err(`job ${pipeline.name} ${result.status}: ${result.recordsIn} records in, ${completed} checkpoints (${declined} declined), ${result.restarts} restarts\n`);
    io.err(formatRunEnd(pipeline, result));
    const again = resumeCommand({
      file,
      set: options.set,
      allowPluginPath: pluginPathsAllowed(),
      ...(options.profile !== undefined ? { profile: options.profile } : {}),
      ...(options.events !== undefined ? { events: options.events } : {}),
      // A run with its own folder keeps its state under its id: the same id finds it again.
      ...(summary !== undefined || chosen ? { runId } : {}),
    });
    const finishedBefore = alreadyFinished(pipeline, result, readAtStart, `${again} --reset-state`);
    if (finishedBefore !== undefined) io.err(finishedBefore);
    if (result.status === 'stopped' && abort.signal.aborted) {
      io.err(
        result.checkpoints.lastId !== undefined || result.restoredFrom !== undefined
          ? `stopped; resume from the last checkpoint with:\n  ${again}\n`
          : 'stopped before any checkpoint was taken: running it again starts from the beginning\n',
      );
    }
    if (summary !== undefined) {
      try {
        const written = await writeRunSummary(pipeline, result, summary, runId, io.cwd);
        const inputs = formatRunInputs(written.summary);
        await addInputsToReport(pipeline, inputs, io.cwd);
        io.err(`${inputs}run ${runId}: summary ${written.path} (check it with \`sluice validate\`)\n`);
      } catch (error) {
        // A job that failed before its stages ran has no counters to summarise.
        io.err(`run ${runId}: no summary written: ${(error as Error).message}\n`);
        if (result.status !== 'failed') return EXIT.RUNTIME;
      }
    }
    if (result.status === 'failed') {
      if (result.error) io.err(`${describeError(result.error)}\n`);
      return EXIT.RUNTIME;
    }
    return EXIT.OK;
  } catch (error) {
    io.err(`${describeError(error)}\n`);
    return EXIT.RUNTIME;
  } finally {
    if (ui) {
      await ui.run.finish(status).catch(() => undefined);
      await ui.telemetry.flush().catch(() => undefined);
      await ui.telemetry.shutdown().catch(() => undefined);
    }
    release();
  }
}

/** `job.tasks`: this process runs the tasks the job's task group assigns to it, until a signal. */
async function runAsTasks(pipeline: CompiledPipeline, config: RuntimeConfig, options: RunOptions, io: CliIo): Promise<ExitCode> {
  if (options.events !== undefined) {
    io.err('error [E_USAGE]: --events cannot be combined with job.tasks (a job run as tasks reads Kafka, which never ends)\n');
    return EXIT.USAGE;
  }
  const logger = createJobContainer(config, { job: pipeline.name }).resolve<Logger>(services.logger.id);
  const { abort, release } = stopOnSignals();
  // SIGUSR2 ends the job instead of pausing it: the tasks drain (core/runtime/scale/run-tasks.ts).
  const drain = new AbortController();
  const onDrain = (): void => drain.abort();
  process.once('SIGUSR2', onDrain);
  let telemetry: Telemetry | undefined;
  try {
    const { runTasks } = await import('../../runtime/scale/run-tasks.ts');
    const from = options.fromSavepoint;
    if (from !== undefined) {
      // Every task of every stage must hold its part: one without would start over.
      const { jobTasks } = await import('../../runtime/scale/job-stores.ts');
      const { findSavepointSet, requireComplete } = await import('../../runtime/scale/savepoint-set.ts');
      const job = await jobTasks(pipeline, config, logger);
      requireComplete(await findSavepointSet(job.stores, from), job.where);
    }
    telemetry = (await engine()).configuredTelemetry(pipeline.name, config);
    if (config.metrics.port > 0) {
      const server = await telemetry.serveMetrics(config.metrics.host, config.metrics.port);
      logger.info(`metrics on http://${config.metrics.host}:${server.port}/metrics, readiness on /ready`, { port: server.port });
    }
    const result = await runTasks(pipeline, {
      telemetry,
      engine: {
        ...(options.resetState ? { resetState: true } : {}),
        ...(options.fromSavepoint !== undefined ? { fromSavepoint: options.fromSavepoint, allowDroppedState: options.allowDroppedState === true } : {}),
      },
      container: () => createJobContainer(config, { job: pipeline.name }),
      sessionTimeoutMs: config.job.task_session_timeout,
      logger,
      signal: abort.signal,
      drain: drain.signal,
      runId: io.env.RUN_ID ?? '',
      cwd: io.cwd,
    });
    io.err(`job ${pipeline.name} ${result.status}: ran ${result.tasks.length} task instances here\n`);
    if (result.savepoint !== undefined) io.err(`stopped with savepoint ${result.savepoint}; start the job from it with --from-savepoint ${result.savepoint}, with any number of processes\n`);
    if (result.status === 'failed') {
      if (result.error) io.err(`${describeError(result.error)}\n`);
      return EXIT.RUNTIME;
    }
    return EXIT.OK;
  } catch (error) {
    io.err(`${describeError(error)}\n`);
    return EXIT.RUNTIME;
  } finally {
    await telemetry?.flush().catch(() => undefined);
    await telemetry?.shutdown().catch(() => undefined);
    process.off('SIGUSR2', onDrain);
    release();
  }
}
