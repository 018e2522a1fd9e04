/** Size estimates of keyed state, for metrics and the benchmark's "state bytes per key". */
import { serialize } from 'node:v8';
import type { StateKey, StateTable } from '../../api/state.ts';

const SAMPLE = 64;

/**
 * Serialised bytes of a sample of a table's entries (key and value), scaled to the whole
 * table. v8 serialisation is close to what a checkpoint stores; heap size is larger.
 */
export function estimateStateTableBytes(table: StateTable<unknown>): number {
  const size = table.size;
  if (size === 0) return 0;
  const step = Math.max(1, Math.floor(size / SAMPLE));
  const sample: [StateKey, unknown][] = [];
  let i = 0;
  for (const key of table.keys()) {
    if (i++ % step === 0) sample.push([key, table.get(key)]);
    if (sample.length === SAMPLE) break;
  }
  return Math.round((serialize(sample).length / sample.length) * size);
}
