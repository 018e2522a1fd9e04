/**
 * Versions that only grow per row (docs/architecture.md §5): `generation · 2^40 + sequence`, as in
 * the embedded store. At open the generation is one above both the checkpointed one and
 * every generation already present in the table, found by probing with timestamp-ranged
 * scans (`minTimestamp`): HBase skips store files by their time range, so a probe that
 * finds nothing is cheap, and each probe that finds a cell jumps past its generation.
 */
import type { HBaseClient } from '../../lib/hbase-client/client.ts';

export const GENERATION_STRIDE = 2 ** 40;

export async function nextGeneration(client: HBaseClient, table: string, restored: number): Promise<number> {
  let generation = Math.max(0, restored) + 1;
  for (;;) {
    const rows = await client.scan(table, { minTimestamp: generation * GENERATION_STRIDE, keysOnly: true, limit: 1 });
    let newest = -1;
    for (const row of rows) for (const c of row.cells) newest = Math.max(newest, c.timestamp);
    if (newest < 0) break;
    generation = Math.max(generation, Math.floor(newest / GENERATION_STRIDE)) + 1;
  }
  if (!Number.isSafeInteger((generation + 1) * GENERATION_STRIDE)) throw new Error(`hbase ${table}: version generation ${generation} exhausted`);
  return generation;
}
