/**
 * `sluice validate [RUN]`: batch validation of a finished run (docs/flagship.md §6), the
 * command this package contributes to the CLI. It recomputes the counts from the run's
 * archive with DuckDB SQL (validate-run.ts), prints the report, and exits 0 when it is ok,
 * 1 on any mismatch, on zero rows compared, on a late share above the bound or on a run
 * that did not drain, 2 when no run is found or it cannot be read. Without RUN: the newest
 * run under `.sluice/runs` (or `--runs-dir`).
 */
import { resolve } from 'node:path';
import { defineCommand } from 'sluice/api';

/** A share between 0 and 1. */
function share(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error('expected a number between 0 and 1');
  return n;
}

/** A whole number ≥ 1. */
function positiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error('expected a whole number ≥ 1');
  return n;
}

export const validateCommand = defineCommand({
  name: 'validate',
  summary: 'Recompute a finished run\'s counts from its archive with DuckDB SQL and compare them with what the stream wrote.',
  arguments: [{ name: 'run', description: 'run folder or its summary.json (default: the newest run under --runs-dir)', optional: true }],
  options: [
    { flags: '--runs-dir <dir>', description: 'where runs are kept', default: '.sluice/runs' },
    { flags: '--max-late-share <x>', description: 'fail when late claims / admitted records exceed this (default: the summary\'s, else 0.01)', parse: share },
    { flags: '--threads <n>', description: 'DuckDB threads', parse: positiveInteger },
  ],
  help: 'Exit: 0 the run checks out, 1 a mismatch (or zero rows compared, too many late records, an undrained run), 2 no run found or unreadable.',
  async run([run], options, io) {
    // Loaded on use: DuckDB is only needed here.
    const { validateRun, formatReport } = await import('./validate-run.ts');
    const { maxLateShare, threads, runsDir } = options as { maxLateShare?: number; threads?: number; runsDir: string };
    try {
      const report = await validateRun({
        ...(run !== undefined ? { run: resolve(io.cwd, run) } : {}),
        runsDir: resolve(io.cwd, runsDir),
        ...(maxLateShare !== undefined ? { maxLateShare } : {}),
        ...(threads !== undefined ? { threads } : {}),
      });
      io.out(formatReport(report).replace(/\n?$/, '\n'));
      return report.ok ? 0 : 1;
    } catch (error) {
      io.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
  },
});
