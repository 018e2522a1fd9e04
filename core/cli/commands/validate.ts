/**
 * `sluice validate [RUN]`: batch validation of a finished run (docs/flagship.md §6). It
 * recomputes the counts from the run's archive with DuckDB SQL (core/validate), prints the
 * report, and exits 0 when it is ok, 1 on any mismatch, on zero rows compared, on a late
 * share above the bound or on a run that did not drain. Without RUN: the newest run under
 * `.sluice/runs` (or `--runs-dir`).
 */
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
  const { validateRun, formatReport, DEFAULT_RUNS_DIR } = await import('../../../plugins/experiment-analytics/validate/index.ts');
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
