/**
 * `validateRun`: the batch validation of a finished run (docs/architecture.md §8, "Validation"), the
 * way Pinterest checked its stream. It loads the run's archive, late and dead-letter
 * outputs and the stream's counts into an in-memory DuckDB, recomputes the counts in SQL
 * (recompute.ts), and reports every mismatch. It imports nothing from the runtime or the
 * plugins, so a bug there cannot hide itself here.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { checkLateClaims, compareCounts, createArchiveIndex } from './checks.ts';
import type { Mismatch } from './checks.ts';
import { checkConservation } from './conservation.ts';
import type { ConservationLine } from './conservation.ts';
import { findSummary } from './find-run.ts';
import { loadArchive, loadDeadLetters, loadLate, loadStreamRows } from './load.ts';
import { checkRampHistories } from './metadata.ts';
import { recompute } from './recompute.ts';
import { ROLES, readSummary } from './summary.ts';
import { TASKS_FOLDER, readTasksRun, taskSummaryFiles } from './tasks-run.ts';
import type { Role } from './summary.ts';

export interface ValidateOptions {
  /** A run folder or its summary.json; default: the newest run under `runsDir`. */
  readonly run?: string;
  /** Where embedded runs are kept (default `.sluice/runs`). */
  readonly runsDir?: string;
  /** Fail above this share of late claims among admitted records; default the summary's, else 0.01. */
  readonly maxLateShare?: number;
  /** DuckDB threads (default: DuckDB's own choice). */
  readonly threads?: number;
}

export const DEFAULT_MAX_LATE_SHARE = 0.01;

export interface ValidationReport {
  /** True when nothing mismatched, rows were compared and the late share is within bounds. */
  readonly ok: boolean;
  readonly summaryFile: string;
  readonly job: string;
  readonly runId: string;
  readonly rowsCompared: number;
  readonly expectedRows: number;
  readonly streamRows: number;
  readonly archived: Readonly<Record<Role, number>>;
  readonly lateClaims: number;
  readonly lateShare: number;
  readonly maxLateShare: number;
  readonly conservation: readonly ConservationLine[];
  /** The dead-letter output when it is not a file (its counts are the job's). */
  readonly deadLetterOutput?: string;
  /** Every mismatch found, in check order. */
  readonly mismatches: readonly Mismatch[];
  /** Why the run failed besides mismatches (not drained, zero rows, late share). */
  readonly failures: readonly string[];
  readonly durationMs: number;
}

export async function validateRun(options: ValidateOptions = {}): Promise<ValidationReport> {
  const started = performance.now();
  // A run folder of a job run as tasks holds one summary per task: their union is the run's.
  const folder = options.run !== undefined && existsSync(options.run) && statSync(options.run).isDirectory() ? resolve(options.run) : undefined;
  const taskFiles = folder !== undefined ? taskSummaryFiles(folder) : undefined;
  const tasksRun = taskFiles !== undefined ? readTasksRun(folder!, taskFiles) : undefined;
  const summaryFile = tasksRun ? join(folder!, TASKS_FOLDER) : findSummary(options.run, options.runsDir);
  const summary = tasksRun ? tasksRun.summary : readSummary(summaryFile);
  const base = tasksRun ? folder! : dirname(summaryFile);
  const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const instance = await DuckDBInstance.create(':memory:', options.threads ? { threads: String(options.threads) } : {});
  const conn = await instance.connect();
  try {
    for (const role of ROLES) await loadArchive(conn, role, summary.archive[role].map(at));
    await loadLate(conn, summary.late.map(at));
    await loadDeadLetters(conn, summary.dead_letter.map(at));
    await loadStreamRows(conn, summary.results, at);
    await recompute(conn, summary.settings);
    await createArchiveIndex(conn);
    const counts = await compareCounts(conn);
    const late = await checkLateClaims(conn, summary.settings);
    const conservation = await checkConservation(conn, summary);
    const metadata = await checkRampHistories(conn);
    const archived = Object.fromEntries(conservation.lines.map((l) => [l.role, l.archived])) as Record<Role, number>;
    const admitted = Object.values(archived).reduce((a, b) => a + b, 0);
    const lateShare = admitted === 0 ? 0 : late.claims / admitted;
    const maxLateShare = options.maxLateShare ?? summary.settings.max_late_share ?? DEFAULT_MAX_LATE_SHARE;
    const failures: string[] = [...(tasksRun?.problems ?? [])];
    if (!summary.drained) failures.push('the run did not drain (its final watermark was not +∞): its counts are partial');
    if (counts.rowsCompared === 0) failures.push('zero rows compared');
    if (lateShare > maxLateShare) failures.push(`late share ${fmtShare(lateShare)} is above the bound ${fmtShare(maxLateShare)}`);
    const mismatches = [...counts.mismatches, ...late.mismatches, ...conservation.mismatches, ...metadata];
    return {
      ok: mismatches.length === 0 && failures.length === 0,
      summaryFile, job: summary.job, runId: summary.run_id,
      rowsCompared: counts.rowsCompared, expectedRows: counts.expectedRows, streamRows: counts.streamRows,
      archived, lateClaims: late.claims, lateShare, maxLateShare,
      conservation: conservation.lines, mismatches, failures,
      ...(summary.dead_letter_output !== undefined ? { deadLetterOutput: summary.dead_letter_output } : {}),
      durationMs: performance.now() - started,
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const fmtShare = (x: number) => `${(x * 100).toFixed(3)}%`;

/** The report as text, every mismatch on its own line; what `sluice validate` prints. */
export function formatReport(r: ValidationReport): string {
  const lines = [
    `validate ${r.job || '(job)'} run ${r.runId || '(run)'} — ${r.summaryFile}`,
    `archive: ${ROLES.map((role) => `${role} ${r.archived[role]}`).join(', ')}`,
    `rows compared: ${r.rowsCompared} (recomputed ${r.expectedRows}, stream ${r.streamRows})`,
    `late claims: ${r.lateClaims} (${fmtShare(r.lateShare)} of admitted; bound ${fmtShare(r.maxLateShare)})`,
  ];
  if (r.deadLetterOutput !== undefined) lines.push(`dead letters: in the ${r.deadLetterOutput} output, not recounted (the job's counts are used)`);
  for (const c of r.conservation) {
    const reported = c.reported ? `admitted ${c.reported.admitted} = ${Object.entries(c.reported.outcomes).map(([k, v]) => `${k} ${v}`).join(' + ')}` : 'not reported';
    lines.push(`conservation ${c.role}: ${reported}; archive: ${c.archived} archived, ${Object.entries(c.recounted).map(([k, v]) => `${k} ${v}`).join(', ')}, undecodable ${c.undecodable}`);
  }
  for (const m of r.mismatches) lines.push(`MISMATCH ${m.check} ${m.subject}: ${m.message}`);
  for (const f of r.failures) lines.push(`FAIL ${f}`);
  lines.push(r.ok ? `OK: 0 mismatches, ${r.rowsCompared} rows compared in ${(r.durationMs / 1000).toFixed(2)}s` : `FAILED: ${r.mismatches.length} mismatches${r.failures.length ? `, ${r.failures.length} other failures` : ''}`);
  return lines.join('\n');
}
