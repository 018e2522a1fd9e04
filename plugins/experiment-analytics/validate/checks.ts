/**
 * The checks `sluice validate` runs once the run is loaded and recomputed: the counts row by
 * row, every late claim, conservation per source, and the metadata's ramp histories.
 * Each returns its mismatches (all of them, never only the first) and its figures.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ROLES } from './summary.ts';
import type { Role, RunSettings, RunSummary } from './summary.ts';

export interface Mismatch {
  readonly check: 'counts' | 'late_claim' | 'conservation' | 'metadata';
  /** A row key, a late-claim provenance, a stream name. */
  readonly subject: string;
  readonly message: string;
}

type Rows = Record<string, unknown>[];
const all = async (conn: DuckDBConnection, sql: string): Promise<Rows> => (await conn.runAndReadAll(sql)).getRowObjectsJS() as Rows;
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export interface CountsResult {
  readonly rowsCompared: number;
  readonly expectedRows: number;
  readonly streamRows: number;
  readonly mismatches: Mismatch[];
}

export async function compareCounts(conn: DuckDBConnection): Promise<CountsResult> {
  const [figures] = await all(conn, `SELECT (SELECT count(*) FROM expected_rows) AS expected, (SELECT count(*) FROM stream_rows) AS stream,
    (SELECT count(*) FROM expected_rows e FULL OUTER JOIN stream_rows s ON e.row_key = s.row_key) AS compared`);
  const rows = await all(
    conn,
    `SELECT coalesce(e.row_key, s.row_key) AS row_key, e.row_key IS NOT NULL AS in_expected, s.row_key IS NOT NULL AS in_stream,
            e.volume AS e_volume, s.volume AS s_volume, e.propensity AS e_propensity, s.propensity AS s_propensity,
            e.sum_sq AS e_sum_sq, s.sum_sq AS s_sum_sq, e.triggered AS e_triggered, s.triggered AS s_triggered,
            len(string_split(coalesce(e.row_key, s.row_key), '|')) = 5 AND regexp_full_match(split_part(coalesce(e.row_key, s.row_key), '|', 2), '\\d{13}') AS well_formed,
            split_part(coalesce(e.row_key, s.row_key), '|', 4) = '_' AS trigger_row
     FROM expected_rows e FULL OUTER JOIN stream_rows s ON e.row_key = s.row_key
     WHERE NOT well_formed OR (CASE WHEN trigger_row THEN coalesce(e.triggered, 0) <> coalesce(s.triggered, 0)
       ELSE coalesce(e.volume, 0) <> coalesce(s.volume, 0) OR coalesce(e.propensity, 0) <> coalesce(s.propensity, 0) OR coalesce(e.sum_sq, 0) <> coalesce(s.sum_sq, 0) END)
     ORDER BY 1`,
  );
  const mismatches = rows.map((r): Mismatch => {
    const key = String(r.row_key);
    if (!r.well_formed) return { check: 'counts', subject: key, message: 'row key does not have the shape {experiment}|{epoch:13}|{segment}|{action}|{group}' };
    const cols = r.trigger_row ? ['triggered'] : ['volume', 'propensity', 'sum_sq'];
    const diff = cols.filter((c) => num(r[`e_${c}`]) !== num(r[`s_${c}`])).map((c) => `${c} expected ${num(r[`e_${c}`])}, stream ${num(r[`s_${c}`])}`);
    const where = !r.in_stream ? ' (row missing from the stream)' : !r.in_expected ? ' (row the recomputation does not have)' : '';
    return { check: 'counts', subject: key, message: diff.join(', ') + where };
  });
  return { rowsCompared: num(figures!.compared), expectedRows: num(figures!.expected), streamRows: num(figures!.stream), mismatches };
}

export async function createArchiveIndex(conn: DuckDBConnection): Promise<void> {
  const parts = ROLES.map((role) => `SELECT '${role}' AS role, pkey, src, out, part, pos, ts FROM arch_${role}`).join(' UNION ALL ');
  await conn.run(`CREATE TABLE archive_all AS SELECT *, max(ts) OVER (PARTITION BY src, out, part ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS max_before FROM (${parts})`);
}

export interface LateResult {
  readonly claims: number;
  readonly byRole: Readonly<Record<Role, number>>;
  readonly mismatches: Mismatch[];
}

/** Each late claim names an archived record, was below its watermark, and that watermark was reachable. */
export async function checkLateClaims(conn: DuckDBConnection, s: RunSettings): Promise<LateResult> {
  const rows = await all(
    conn,
    `SELECT l.line, l.operator, l.reason, l.watermark, l.event_time, l.record_ts, l.pkey, a.role, a.max_before,
            count(*) OVER (PARTITION BY l.pkey) AS claims_on_record
     FROM late_rows l LEFT JOIN archive_all a ON a.pkey = l.pkey ORDER BY l.line`,
  );
  const byRole: Record<Role, number> = { activations: 0, actions: 0, metadata: 0 };
  const mismatches: Mismatch[] = [];
  for (const r of rows) {
    const subject = `late line ${num(r.line)} (${String(r.operator)}: ${String(r.reason)}, ${r.pkey ?? 'no provenance'})`;
    const bad = (message: string) => mismatches.push({ check: 'late_claim', subject, message });
    if (r.role === null || r.role === undefined) {
      bad('names no archived record');
      continue;
    }
    byRole[r.role as Role]++;
    if (num(r.claims_on_record) > 1) bad(`the record is claimed late ${num(r.claims_on_record)} times`);
    const w = r.watermark === null ? NaN : Number(r.watermark);
    const t = Number(r.event_time);
    if (!Number.isFinite(w)) {
      bad('has no finite watermark');
      continue;
    }
    if (!(t < w)) bad(`event time ${t} is not below the watermark ${w}`);
    else if (s.allowed_lateness_ms !== undefined && !s.superseding_reasons.includes(String(r.reason)) && !(t < w - s.allowed_lateness_ms)) {
      bad(`event time ${t} is within the allowed lateness (${s.allowed_lateness_ms} ms) of the watermark ${w}`);
    }
    if (r.record_ts !== null && r.record_ts !== undefined && Number(r.record_ts) !== t) bad(`event time ${t} differs from the record's ts ${Number(r.record_ts)}`);
    if (s.out_of_orderness_ms !== undefined) {
      const reach = r.max_before === null || r.max_before === undefined ? -Infinity : Number(r.max_before) - s.out_of_orderness_ms - 1;
      if (w > reach) bad(`watermark ${w} was not reachable: records before it in its partition allow at most ${reach}`);
    }
  }
  return { claims: rows.length, byRole, mismatches };
}
