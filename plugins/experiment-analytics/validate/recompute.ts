/**
 * The recomputation, in SQL only: epochs and segments from the raw ramp history, first
 * triggers, the interval join of actions to them, and the expected rows of
 * `experiment_counts`. It reads the archive minus every record the stream declared late
 * or dead-lettered, and reuses nothing from the runtime or the plugins: this file is the
 * second, independent statement of docs/architecture.md §8.
 *
 * Rules, as docs/architecture.md §8 states them:
 * - metadata: per experiment the latest version (by `effective_from`), its ramp history
 *   and the actions it tracks;
 * - epochs: the launch opens one; walking the ramps in time order, a ramp at or after the
 *   current epoch's start + epoch_ms opens the next, any other opens a segment of it;
 * - activations: deduplicated on `event_id` (first arrival wins), then the excluded ones
 *   dropped; one in [segment start, segment end) is tracked, else untracked;
 * - first trigger per (experiment, epoch, user): the earliest tracked activation (then
 *   arrival order); later ones with another group are group conflicts;
 * - counts: actions of the user with trigger.ts + lower ≤ ts ≤ trigger.ts + upper and
 *   ts < epoch end, of an action the experiment tracks: volume, propensity (users) and
 *   sum_sq (Σ per-user count²) per (experiment, epoch, segment, action, group); and the
 *   triggered users per (experiment, epoch, segment, group) under action `_`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { RunSettings } from './summary.ts';

const int = (n: number, what: string): string => {
  if (!Number.isSafeInteger(n)) throw new Error(`settings.${what} must be an integer, got ${n}`);
  return String(n);
};

export function recomputeStatements(s: RunSettings): string[] {
  const E = int(s.epoch_ms, 'epoch_ms');
  const lower = int(s.join_lower_ms, 'join_lower_ms');
  const upper = int(s.join_upper_ms, 'join_upper_ms');
  const dedupe = (role: string) => s.dedupe.includes(role as never);
  const firstCopy = (table: string, role: string) =>
    dedupe(role) ? `SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY pos, part) AS copy FROM ${table}` : `SELECT *, 1 AS copy FROM ${table}`;
  return [
    `CREATE TABLE excluded AS SELECT DISTINCT pkey FROM (SELECT pkey FROM late_rows UNION ALL SELECT pkey FROM dead_rows) WHERE pkey IS NOT NULL`,
    `CREATE TABLE meta AS SELECT experiment_id, actions, ramps FROM (
       SELECT m.*, row_number() OVER (PARTITION BY experiment_id ORDER BY effective_from DESC, ts DESC, pos DESC) AS rn
       FROM arch_metadata m ANTI JOIN excluded x ON m.pkey = x.pkey) WHERE rn = 1`,
    `CREATE TABLE ramps AS SELECT experiment_id, unnest(json_transform(ramps, '[{"ts":"BIGINT"}]')).ts AS ramp_ts FROM meta`,
    `CREATE TABLE tracked_actions AS SELECT experiment_id, unnest(json_keys(actions)) AS action FROM meta`,
    `CREATE TABLE segments AS
     WITH RECURSIVE ranked AS (
       SELECT experiment_id, ramp_ts, row_number() OVER (PARTITION BY experiment_id ORDER BY ramp_ts) AS i FROM ramps
     ), walk(experiment_id, i, ramp_ts, epoch_start, segment) AS (
       SELECT experiment_id, i, ramp_ts, ramp_ts, 0 FROM ranked WHERE i = 1
       UNION ALL
       SELECT r.experiment_id, r.i, r.ramp_ts,
              CASE WHEN r.ramp_ts >= w.epoch_start + ${E} THEN r.ramp_ts ELSE w.epoch_start END,
              CASE WHEN r.ramp_ts >= w.epoch_start + ${E} THEN 0 ELSE w.segment + 1 END
       FROM walk w JOIN ranked r ON r.experiment_id = w.experiment_id AND r.i = w.i + 1
     )
     SELECT experiment_id, epoch_start, segment, ramp_ts AS seg_start,
            coalesce(lead(ramp_ts) OVER (PARTITION BY experiment_id, epoch_start ORDER BY ramp_ts), epoch_start + ${E}) AS seg_end
     FROM walk`,
    `CREATE TABLE act_copies AS ${firstCopy('arch_activations', 'activations')}`,
    `CREATE TABLE act_kept AS SELECT a.* FROM act_copies a ANTI JOIN excluded x ON a.pkey = x.pkey WHERE a.copy = 1`,
    `CREATE TABLE act_slotted AS
     SELECT a.*, s.epoch_start, s.segment, a.experiment_id IN (SELECT experiment_id FROM meta) AS known
     FROM act_kept a LEFT JOIN segments s ON s.experiment_id = a.experiment_id AND a.ts >= s.seg_start AND a.ts < s.seg_end`,
    `CREATE TABLE first_triggers AS SELECT experiment_id, epoch_start, segment, user_id, grp, ts FROM (
       SELECT *, row_number() OVER (PARTITION BY experiment_id, epoch_start, user_id ORDER BY ts, pos, part) AS rn
       FROM act_slotted WHERE epoch_start IS NOT NULL) WHERE rn = 1`,
    `CREATE TABLE actions_kept AS SELECT a.* FROM (${firstCopy('arch_actions', 'actions')}) a ANTI JOIN excluded x ON a.pkey = x.pkey WHERE a.copy = 1`,
    `CREATE TABLE per_user AS
     SELECT f.experiment_id, f.epoch_start, f.segment, f.grp, a.action, f.user_id, count(*) AS c
     FROM first_triggers f
     JOIN actions_kept a ON a.user_id = f.user_id AND a.ts >= f.ts + ${lower} AND a.ts <= f.ts + ${upper} AND a.ts < f.epoch_start + ${E}
     SEMI JOIN tracked_actions t ON t.experiment_id = f.experiment_id AND t.action = a.action
     GROUP BY ALL`,
    `CREATE MACRO counts_key(e, ep, seg, act, g) AS e || '|' || lpad(ep::VARCHAR, 13, '0') || '|' || seg::VARCHAR || '|' || act || '|' || g`,
    `CREATE TABLE expected_rows AS
     SELECT counts_key(experiment_id, epoch_start, segment, action, grp) AS row_key,
            sum(c)::HUGEINT AS volume, count(*)::HUGEINT AS propensity, NULL::HUGEINT AS triggered, sum(c * c)::HUGEINT AS sum_sq
     FROM per_user GROUP BY experiment_id, epoch_start, segment, action, grp
     UNION ALL
     SELECT counts_key(experiment_id, epoch_start, segment, '_', grp), NULL, NULL, count(*)::HUGEINT, NULL
     FROM first_triggers GROUP BY experiment_id, epoch_start, segment, grp`,
  ];
}

export async function recompute(conn: DuckDBConnection, settings: RunSettings): Promise<void> {
  for (const sql of recomputeStatements(settings)) await conn.run(sql);
}
