/**
 * The run summary (`summary.json`), written by the job at the end of a run next to its
 * archive: what `sluice validate` reads. Format `sluice.run-summary/v1`; paths are relative
 * to the summary's folder. See docs/flagship.md, "The archive".
 */
import { readFileSync } from 'node:fs';
import type { HBaseResults } from './hbase-rows.ts';

export const SUMMARY_FORMAT = 'sluice.run-summary/v1';
export const SUMMARY_FILE = 'summary.json';
export const ROLES = ['activations', 'actions', 'metadata'] as const;
export type Role = (typeof ROLES)[number];

/** Per source stream: records read, admitted (decoded, so archived), and where each admitted one went. */
export interface SourceCounters {
  /** Records the source delivered, undecodable ones included (optional). */
  readonly read?: number;
  /** Records admitted into the graph: exactly the archived ones. */
  readonly admitted: number;
  /**
   * Where the admitted records went; they must add up to `admitted`. Names checked against
   * the archive when present: `duplicate`, `late`, `dead_lettered`, `untracked_triggers`,
   * `group_conflicts`. Others (`counted`, `filtered`, …) only enter the sum.
   */
  readonly outcomes: Readonly<Record<string, number>>;
}

export interface RunSettings {
  /** Epoch length (3 days). */
  readonly epoch_ms: number;
  /** Interval-join bounds of actions against first triggers, inclusive. */
  readonly join_lower_ms: number;
  readonly join_upper_ms: number;
  /** The sources' bounded out-of-orderness; enables the reachability check of late claims. */
  readonly out_of_orderness_ms?: number;
  /** The operators' allowed lateness; a late claim (not superseding) must be below W − this. */
  readonly allowed_lateness_ms?: number;
  /** Late reasons judged against the watermark alone (default `trigger_superseded`). */
  readonly superseding_reasons: readonly string[];
  /** Streams deduplicated on `event_id` (default activations). */
  readonly dedupe: readonly Role[];
  /** Fail when late claims exceed this share of admitted records. */
  readonly max_late_share?: number;
}

export interface RunSummary {
  readonly format: typeof SUMMARY_FORMAT;
  readonly job: string;
  readonly run_id: string;
  /** The job drained (final watermark +∞) before writing: every timer fired, every row written. */
  readonly drained: boolean;
  readonly archive: Readonly<Record<Role, readonly string[]>>;
  readonly late: readonly string[];
  readonly dead_letter: readonly string[];
  /**
   * Set when the dead-letter output is not a file (e.g. `kafka`): `dead_letter` is empty and
   * the dead-letter counts are the job's own, not recounted.
   */
  readonly dead_letter_output?: string;
  /** The stream's counts: the embedded store's SQLite table, an HBase table (read through REST), or JSONL rows (an export). */
  readonly results:
    | { readonly sqlite: string; readonly table: string }
    | { readonly hbase: HBaseResults }
    | { readonly jsonl: readonly string[] };
  readonly sources: Readonly<Partial<Record<Role, SourceCounters>>>;
  readonly settings: RunSettings;
}

const DAY = 86_400_000;
export const DEFAULT_SETTINGS: RunSettings = {
  epoch_ms: 3 * DAY,
  join_lower_ms: 0,
  join_upper_ms: 3 * DAY,
  superseding_reasons: ['trigger_superseded'],
  dedupe: ['activations'],
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Parses and checks a summary; throws with every problem listed. */
export function parseSummary(text: string, file: string): RunSummary {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`);
  }
  const problems: string[] = [];
  if (!isObj(raw)) throw new Error(`${file}: expected an object`);
  if (raw.format !== SUMMARY_FORMAT) problems.push(`format must be "${SUMMARY_FORMAT}"`);
  if (typeof raw.drained !== 'boolean') problems.push('drained must be true or false');
  if (!isObj(raw.archive) || !ROLES.every((r) => strings((raw.archive as Record<string, unknown>)[r]))) problems.push(`archive must list files for ${ROLES.join(', ')}`);
  if (!strings(raw.late)) problems.push('late must list files');
  if (!strings(raw.dead_letter)) problems.push('dead_letter must list files');
  const res = raw.results;
  const hbase = isObj(res) && isObj(res.hbase) ? res.hbase : undefined;
  const hbaseOk = hbase !== undefined && typeof hbase.url === 'string' && typeof hbase.table === 'string' && typeof hbase.family === 'string';
  if (!isObj(res) || !((typeof res.sqlite === 'string' && typeof res.table === 'string') || hbaseOk || strings(res.jsonl))) {
    problems.push('results must be {sqlite, table}, {hbase: {url, table, family}} or {jsonl: [...]}');
  }
  if (!isObj(raw.sources)) problems.push('sources must map streams to counters');
  else for (const [role, c] of Object.entries(raw.sources)) {
    if (!ROLES.includes(role as Role)) problems.push(`sources.${role}: not one of ${ROLES.join(', ')}`);
    if (!isObj(c) || typeof c.admitted !== 'number' || !isObj(c.outcomes) || !Object.values(c.outcomes).every((n) => typeof n === 'number')) {
      problems.push(`sources.${role} must be {read?, admitted, outcomes: {name: count}}`);
    }
  }
  if (raw.settings !== undefined && !isObj(raw.settings)) problems.push('settings must be an object');
  if (problems.length) throw new Error(`${file}: invalid run summary: ${problems.join('; ')}`);
  const settings = { ...DEFAULT_SETTINGS, ...(raw.settings as object | undefined) } as RunSettings;
  return { job: '', run_id: '', ...raw, settings } as unknown as RunSummary;
}

export function readSummary(file: string): RunSummary {
  return parseSummary(readFileSync(file, 'utf8'), file);
}
