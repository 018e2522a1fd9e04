/**
 * The backfill of the watermark-alignment tests (one process and as tasks): one topic with 4
 * partitions covering the same four days of event time, two big (20 000 records each) and two
 * small (1 000 records each, plus records two days behind their predecessors, which alignment
 * must have declared late). Written partition by partition, as a backfill would.
 */
import { produce } from './kafka-helpers.ts';

const T0 = Date.UTC(2026, 0, 1);
const SPAN = 4 * 86_400_000;
const BEHIND = 2 * 86_400_000;
const BIG = 20_000;
const SMALL = 1_000;
/**
 * A late record after every 60th record of a small partition from the 300th on. Lateness
 * is judged per poll (a batch against the watermark before it), so a job's first poll is
 * judged against no watermark at all: the first 300 records (more than one poll's share
 * at `batchSize` 256) bring none.
 */
const FIRST_LATE = 300;
const EVERY = 60;

export interface Action { id: string; user: string; ts: number }

function partition(p: number, n: number, withLate: boolean): { records: Action[]; late: string[] } {
  const records: Action[] = [];
  const late: string[] = [];
  for (let i = 0; i < n; i++) {
    const ts = T0 + Math.floor((i * SPAN) / n);
    records.push({ id: `${p}-${i}`, user: `u${p}-${i % 20}`, ts });
    if (withLate && i >= FIRST_LATE && i % EVERY === 0) {
      const id = `${p}-${i}-late`;
      records.push({ id, user: `u${p}-${i % 20}`, ts: ts - BEHIND });
      late.push(id);
    }
  }
  return { records, late };
}

/** Writes the backfill into `topic` (4 partitions); the records in all and the ids of the late ones, sorted. */
export async function produceBackfill(topic: string): Promise<{ total: number; late: string[] }> {
  const parts = [partition(0, BIG, false), partition(1, BIG, false), partition(2, SMALL, true), partition(3, SMALL, true)];
  for (const [p, { records }] of parts.entries()) {
    for (let from = 0; from < records.length; from += 5000) {
      await produce(topic, records.slice(from, from + 5000).map((r) => ({ partition: p, value: JSON.stringify(r) })));
    }
  }
  return { total: parts.reduce((n, p) => n + p.records.length, 0), late: parts.flatMap((p) => p.late).sort() };
}
