/**
 * The floor under the keyed-state scenarios: what keyed state costs per event before any
 * operator runs. One `Map` from an integer key to the key's packed array (a header and
 * count, sum and max, as `window_aggregate` keeps one window), and per event: a random key,
 * `get`, the accumulators updated in place, `set` (what a state handle does). Nothing else:
 * no records, batches, windows or timers.
 *
 * At 10 k keys the table fits in the processor's caches; at 100 k and 1 M each lookup
 * misses them, and that miss, not code, is most of the cost. An operator scenario's CPU per
 * event above its floor at the same key count is what the operator adds.
 */
import { Measure } from './measure.ts';
import type { RunResult, Scenario, ScenarioOptions } from './scenario.ts';

/** xorshift32: a cheap, repeatable key sequence. */
function nextRandom(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

async function runFloor({ events, keys }: ScenarioOptions): Promise<RunResult> {
  const table = new Map<number, number[]>();
  // Every key present before measuring, each with its own array allocated in key order.
  for (let k = 0; k < keys; k++) table.set(k, [0, 1_700_000_000_000, 1_700_003_600_000, 0, 0, 0, Number.NEGATIVE_INFINITY]);
  const measure = new Measure();
  measure.start();
  let x = 2463534242;
  let checksum = 0;
  for (let i = 0; i < events; i++) {
    x = nextRandom(x);
    const key = x % keys;
    const p = table.get(key)!;
    const amount = i & 511;
    p[4]! += 1;
    p[5]! += amount;
    if (amount > p[6]!) p[6] = amount;
    table.set(key, p);
    checksum += p[4]!;
  }
  const m = measure.stop();
  if (checksum <= 0) throw new Error('no work done');
  return { events, ...m, driver: 'micro' };
}

export const FLOOR_SCENARIOS: readonly Scenario[] = [
  { name: 'state_floor_10k', summary: 'the keyed-state floor: Map get, in-place update, set at random keys among 10 k (fits in cache)', events: 3_000_000, keys: 10_000, run: runFloor },
  { name: 'state_floor_100k', summary: 'the keyed-state floor among 100 k keys (session_window\'s count)', events: 3_000_000, keys: 100_000, run: runFloor },
  { name: 'state_floor_1m', summary: 'the keyed-state floor among 1 M keys (interval_join_1m\'s and window_aggregate_1m\'s count)', events: 3_000_000, keys: 1_000_000, run: runFloor },
];
