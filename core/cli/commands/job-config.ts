/**
 * The runtime config a job runs with, as `sluice run` builds it, so that the commands that
 * reach a job from outside (`sluice savepoint`) find the same checkpoint store and metrics
 * endpoint: the config layers and `--set`s, and for a run that writes a run summary
 * (run-summary.ts) its own state folder `<summary folder>/state` unless `job.state_dir` is set.
 */
import { dirname, resolve } from 'node:path';
import type { CompiledPipeline } from '../../runtime/graph/index.ts';
import type { LoadedRuntimeConfig } from '../../runtime/config/index.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { loadConfigOrReport } from './config.ts';
import { runSummaryDeclaration } from './run-summary.ts';

/** The `--set`s of the job: the user's, after the run summary's state folder when it has one. */
export function jobConfigSets(pipeline: CompiledPipeline, sets: readonly string[], io: CliIo): readonly string[] {
  const summary = runSummaryDeclaration(pipeline);
  const ownStateDir = summary !== undefined && !sets.some((s) => s.startsWith('job.state_dir=')) && !io.env.SLUICE_JOB_STATE_DIR;
  return ownStateDir ? [`job.state_dir=${resolve(io.cwd, dirname(summary.path), 'state')}`, ...sets] : sets;
}

/** The job's runtime config; its issues printed on stderr, the exit code when it is invalid. */
export function loadJobConfig(pipeline: CompiledPipeline, sets: readonly string[], io: CliIo): LoadedRuntimeConfig | ExitCode {
  return loadConfigOrReport(jobConfigSets(pipeline, sets, io), io);
}
