/**
 * Test helper: writes a run folder (archive envelopes, late and dead-letter rows, stream
 * counts as JSONL, summary.json) from plain objects, so tests state runs by hand.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role, RunSummary } from './summary.ts';
import { SUMMARY_FORMAT } from './summary.ts';

export interface ArchivedRecord {
  readonly record: Record<string, unknown>;
  /** Defaults: source `traffic`, output = role, partition 0, offset = index in the role's list. */
  readonly offset?: number;
  readonly partition?: number;
}

export interface RunFixture {
  readonly archive: Readonly<Record<Role, readonly ArchivedRecord[]>>;
  readonly late?: readonly Record<string, unknown>[];
  readonly dead?: readonly Record<string, unknown>[];
  /** Stream rows `{row_key, volume?, propensity?, triggered?, sum_sq?}` (values as decimal strings or numbers). */
  readonly counts?: readonly Record<string, unknown>[];
  /** Overrides of the summary (sources, settings, drained, results…). */
  readonly summary?: Partial<RunSummary> & Record<string, unknown>;
}

export const provenance = (role: Role, offset: number, partition = 0) => ({ source: 'traffic', output: role, partition, offset });

const jsonl = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');

/** Writes the run into a new temporary folder (or `dir`) and returns the folder. */
export function writeRun(f: RunFixture, dir = mkdtempSync(join(tmpdir(), 'sluice-run-'))): string {
  mkdirSync(join(dir, 'archive'), { recursive: true });
  const archive = {} as Record<Role, string[]>;
  for (const role of ['activations', 'actions', 'metadata'] as const) {
    const lines = f.archive[role].map((r, i) => ({ provenance: provenance(role, r.offset ?? i, r.partition), record: r.record }));
    writeFileSync(join(dir, 'archive', `${role}.jsonl`), jsonl(lines));
    archive[role] = [`archive/${role}.jsonl`];
  }
  writeFileSync(join(dir, 'late.jsonl'), jsonl(f.late ?? []));
  writeFileSync(join(dir, 'dead_letter.jsonl'), jsonl(f.dead ?? []));
  writeFileSync(join(dir, 'counts.jsonl'), jsonl(f.counts ?? []));
  const summary = {
    format: SUMMARY_FORMAT,
    job: 'experiment_analytics',
    run_id: 'fixture',
    drained: true,
    archive,
    late: ['late.jsonl'],
    dead_letter: ['dead_letter.jsonl'],
    results: { jsonl: ['counts.jsonl'] },
    sources: {},
    ...f.summary,
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  return dir;
}
