/** Size estimates of keyed state, for metrics and the benchmark's "state bytes per key". */
import { serialize } from 'node:v8';
import type { StateKey, StateTable } from '../../api/state.ts';

const SAMPLE = 64;

/**
 * Serialised bytes of a sample of a table's entries (key and value), scaled to the whole
 * table. v8 serialisation is close to what a checkpoint stores; heap size is larger.
 */
export function estimateStateTableBytes(table: StateTable<unknown> & { sample?: SampleOf }): number {
  const size = table.size;
  if (size === 0) return 0;
  let sample: [StateKey, unknown][];
  if (table.sample !== undefined) sample = table.sample(SAMPLE);
  else {
    const step = Math.max(1, Math.floor(size / SAMPLE));
    sample = [];
    let i = 0;
    for (const key of table.keys()) {
      if (i++ % step === 0) sample.push([key, table.get(key)]);
      if (sample.length === SAMPLE) break;
    }
  }
  return Math.round((serialize(sample).length / sample.length) * size);
}

/** A table's own sample of `n` entries spread over it (the memory backend's, without an iterator step per key). */
type SampleOf = (n: number) => [StateKey, unknown][];
