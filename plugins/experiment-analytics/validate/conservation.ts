/**
 * Conservation per source stream: admitted = counted + filtered + duplicate + late +
 * dead-lettered (+ the flagship's own outcomes). The job's counters come from the run
 * summary; the archive gives what can be recounted independently: admitted (archived
 * lines), late (claims on the stream's records), dead-lettered after admission,
 * duplicates, untracked triggers and group conflicts.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Mismatch } from './checks.ts';
import { ROLES } from './summary.ts';
import type { Role, RunSummary } from './summary.ts';

export interface ConservationLine {
  readonly role: Role;
  readonly archived: number;
  /** What the job reported, when it did. */
  readonly reported?: { readonly read?: number; readonly admitted: number; readonly outcomes: Readonly<Record<string, number>> };
  /** Outcomes recounted from the archive. */
  readonly recounted: Readonly<Record<string, number>>;
  /** Dead-letter rows of this stream that name no archived record: undecodable before admission. */
  readonly undecodable: number;
}

/** Outcomes the job must report whenever the archive shows any. */
const REQUIRED = ['late', 'dead_lettered', 'duplicate'];

async function one(conn: DuckDBConnection, sql: string): Promise<number> {
  const rows = (await conn.runAndReadAll(sql)).getRows();
  return Number(rows[0]?.[0] ?? 0);
}

export async function checkConservation(conn: DuckDBConnection, summary: RunSummary): Promise<{ lines: ConservationLine[]; mismatches: Mismatch[] }> {
  const lines: ConservationLine[] = [];
  const mismatches: Mismatch[] = [];
  for (const role of ROLES) {
    const t = `arch_${role}`;
    const archived = await one(conn, `SELECT count(*) FROM ${t}`);
    const recounted: Record<string, number> = {
      late: await one(conn, `SELECT count(*) FROM late_rows l SEMI JOIN ${t} a ON a.pkey = l.pkey`),
      dead_lettered: await one(conn, `SELECT count(*) FROM dead_rows d SEMI JOIN ${t} a ON a.pkey = d.pkey`),
    };
    if (summary.settings.dedupe.includes(role)) {
      const copies = role === 'activations' ? 'act_copies' : `(SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY pos, part) AS copy FROM ${t})`;
      recounted.duplicate = await one(conn, `SELECT count(*) FROM ${copies} c ANTI JOIN excluded x ON c.pkey = x.pkey WHERE c.copy > 1`);
    }
    if (role === 'activations') {
      recounted.untracked_triggers = await one(conn, `SELECT count(*) FROM act_slotted WHERE known AND epoch_start IS NULL`);
      recounted.group_conflicts = await one(conn, `SELECT count(*) FROM act_slotted a JOIN first_triggers f USING (experiment_id, epoch_start, user_id) WHERE a.grp <> f.grp`);
    }
    let undecodable = await one(conn, `SELECT count(*) FROM dead_rows d ANTI JOIN archive_all a ON a.pkey = d.pkey
      WHERE EXISTS (SELECT 1 FROM ${t} r WHERE r.src = d.src AND r.out = d.out)`);
    const reported = summary.sources[role];
    if (summary.dead_letter_output !== undefined && reported) {
      // Dead letters went to a topic, not a file: they cannot be recounted here; the job's counts stand.
      recounted.dead_lettered = reported.outcomes.dead_lettered ?? 0;
      undecodable = reported.read === undefined ? 0 : reported.read - reported.admitted;
    }
    lines.push({ role, archived, recounted, undecodable, ...(reported ? { reported } : {}) });
    const bad = (message: string) => mismatches.push({ check: 'conservation', subject: role, message });
    if (!reported) {
      if (archived > 0) bad(`the summary reports no counters for ${archived} archived records`);
      continue;
    }
    if (reported.admitted !== archived) bad(`admitted ${reported.admitted}, but the archive holds ${archived}`);
    const sum = Object.values(reported.outcomes).reduce((a, b) => a + b, 0);
    if (sum !== reported.admitted) bad(`outcomes add up to ${sum}, not to admitted ${reported.admitted} (${JSON.stringify(reported.outcomes)})`);
    for (const [name, value] of Object.entries(recounted)) {
      const claimed = reported.outcomes[name];
      if (claimed === undefined) {
        if (REQUIRED.includes(name) && value > 0) bad(`the archive shows ${value} ${name} but the summary reports none`);
      } else if (claimed !== value) bad(`${name}: the job reports ${claimed}, the archive shows ${value}`);
    }
    if (reported.read !== undefined && reported.read !== reported.admitted + undecodable) {
      bad(`read ${reported.read} ≠ admitted ${reported.admitted} + undecodable ${undecodable}`);
    }
  }
  return { lines, mismatches };
}
