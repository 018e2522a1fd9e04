/**
 * `sluice run --workers N`: starts N local processes of the job as tasks (`job.tasks`), each
 * a plain `sluice run` with the same pipeline, profile and config, so they share the work
 * through the job's task group exactly as processes on N machines would. Their output goes
 * to this terminal; SIGINT/SIGTERM are passed on (each process checkpoints its tasks and
 * leaves), and SIGUSR2 (the job drains and ends); the exit code is the worst of theirs.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { pluginPathsAllowed } from '../../runtime/plugins/path-policy.ts';
import { EXIT } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { newRunId } from './run.ts';
import type { RunOptions } from './run.ts';

export async function runWorkers(file: string, options: RunOptions, workers: number, io: CliIo): Promise<ExitCode> {
  const args = [process.argv[1]!, 'run', file];
  if (options.profile) args.push('--profile', options.profile);
  for (const s of options.set) args.push('--set', s);
  args.push('--set', 'job.tasks=true');
  if (options.resetState) args.push('--reset-state');
  if (options.fromSavepoint !== undefined) args.push('--from-savepoint', options.fromSavepoint);
  if (options.allowDroppedState) args.push('--allow-dropped-state');
  if (pluginPathsAllowed()) args.push('--allow-plugin-path');
  const children: ChildProcess[] = [];
  const forward = (signal: NodeJS.Signals) => () => {
    for (const c of children) c.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  const onDrain = forward('SIGUSR2');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  process.on('SIGUSR2', onDrain);
  try {
    // One run id for all of them: their tasks write into one run folder (`tasks/<task id>/`).
    const runId = io.env.RUN_ID || newRunId();
    io.err(`starting ${workers} processes of ${file} as tasks (run ${runId})\n`);
    const codes = await Promise.all(
      Array.from({ length: workers }, (_, i) => {
        const child = spawn(process.execPath, [...process.execArgv, ...args], { cwd: io.cwd, env: { ...io.env, RUN_ID: runId, SLUICE_WORKER: String(i) }, stdio: 'inherit' });
        children.push(child);
        return new Promise<number>((resolve) => {
          child.on('error', () => resolve(EXIT.RUNTIME));
          child.on('exit', (code, signal) => resolve(code ?? (signal ? EXIT.RUNTIME : 0)));
        });
      }),
    );
    return Math.max(...codes) as ExitCode;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    process.off('SIGUSR2', onDrain);
  }
}
