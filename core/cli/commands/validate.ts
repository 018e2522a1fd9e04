/**
 * `sluice validate [RUN]`: batch validation of a finished run (docs/flagship.md §6). It
 * recomputes the counts from the run's archive with DuckDB SQL (core/validate), prints the
 * report, and exits 0 when it is ok, 1 on any mismatch, on zero rows compared, on a late
 * share above the bound or on a run that did not drain. Without RUN: the newest run under
 * `.sluice/runs` (or `--runs-dir`).
 */
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';

export interface ValidateCommandOptions {
  readonly runsDir?: string;
  readonly maxLateShare?: number;
  readonly threads?: number;
}

export async function validate(run: string | undefined, options: ValidateCommandOptions, io: CliIo): Promise<ExitCode> {
  // Loaded on use: DuckDB is only needed here.
  const { validateRun, formatReport, DEFAULT_RUNS_DIR } = await import('../../validate/index.ts');
  const { resolve } = await import('node:path');
  try {
    const report = await validateRun({
      ...(run !== undefined ? { run: resolve(io.cwd, run) } : {}),
      runsDir: resolve(io.cwd, options.runsDir ?? DEFAULT_RUNS_DIR),
      ...(options.maxLateShare !== undefined ? { maxLateShare: options.maxLateShare } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
    });
    io.out(formatReport(report).replace(/\n?$/, '\n'));
    return report.ok ? EXIT.OK : EXIT.PROBLEMS;
  } catch (error) {
    io.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.USAGE;
  }
}

function share(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a number between 0 and 1');
  return n;
}

function threads(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

export function registerValidate(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('validate')
    .description('Recompute a finished run\'s counts from its archive with DuckDB SQL and compare them with what the stream wrote.')
    .argument('[run]', 'run folder or its summary.json (default: the newest run under --runs-dir)')
    .option('--runs-dir <dir>', 'where runs are kept', '.sluice/runs')
    .option('--max-late-share <x>', 'fail when late claims / admitted records exceed this (default: the summary\'s, else 0.01)', share)
    .option('--threads <n>', 'DuckDB threads', threads)
    .addHelpText('after', '\nExit: 0 the run checks out, 1 a mismatch (or zero rows compared, too many late records, an undrained run), 2 no run found or unreadable.')
    .action(async (run: string | undefined, opts: ValidateCommandOptions) => done(await validate(run, opts, io)));
}
