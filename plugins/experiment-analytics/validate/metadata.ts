/**
 * The metadata's ramp histories: each version must carry the history so far, launch first,
 * strictly increasing, and every later version must extend (not rewrite) the earlier ones,
 * or the recomputation's "latest version" would not be the history the stream saw.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Mismatch } from './checks.ts';

export async function checkRampHistories(conn: DuckDBConnection): Promise<Mismatch[]> {
  const rows = (await conn.runAndReadAll(
    `SELECT m.experiment_id, m.event_id, m.effective_from, to_json(json_transform(m.ramps, '[{"ts":"BIGINT"}]'))::VARCHAR AS ramps
     FROM arch_metadata m ANTI JOIN excluded x ON m.pkey = x.pkey ORDER BY m.experiment_id, m.effective_from, m.pos`,
  )).getRowObjectsJS() as { experiment_id: string; event_id: string; effective_from: bigint | null; ramps: string | null }[];
  const mismatches: Mismatch[] = [];
  const byExperiment = new Map<string, { event_id: string; ts: number[] }[]>();
  for (const r of rows) {
    const subject = `metadata ${r.experiment_id} (${r.event_id})`;
    const parsed = JSON.parse(r.ramps ?? 'null') as { ts: number | null }[] | null;
    const ts = Array.isArray(parsed) ? parsed.map((x) => (x?.ts === null || x?.ts === undefined ? NaN : Number(x.ts))) : [];
    if (ts.length === 0) mismatches.push({ check: 'metadata', subject, message: 'has no ramp history' });
    if (ts.some((t, i) => !Number.isFinite(t) || (i > 0 && t <= ts[i - 1]!))) mismatches.push({ check: 'metadata', subject, message: `ramp times are not strictly increasing: ${ts.join(', ')}` });
    const list = byExperiment.get(r.experiment_id) ?? [];
    list.push({ event_id: r.event_id, ts });
    byExperiment.set(r.experiment_id, list);
  }
  for (const [experiment, versions] of byExperiment) {
    const latest = versions[versions.length - 1]!;
    for (const v of versions) {
      if (v.ts.some((t, i) => latest.ts[i] !== t)) {
        mismatches.push({ check: 'metadata', subject: `metadata ${experiment} (${v.event_id})`, message: `ramp history ${v.ts.join(', ')} is not a prefix of the latest (${latest.event_id}: ${latest.ts.join(', ')})` });
      }
    }
  }
  return mismatches;
}
