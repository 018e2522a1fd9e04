/**
 * Heap bytes of keyed state per key (state tables and timers, not the rows a join buffers),
 * measured between forced GCs with the operator test harness — what the issue's "bytes per
 * key" means in memory, where the bench's `state B/key` is the serialised size:
 *
 *   node --expose-gc bin/run-ts.mjs bench/state-heap.ts [--keys 200000] [--root <checkout>]
 *
 * `--root` measures another checkout's operators (e.g. the baseline of `compare.ts`).
 * Cases: tumbling and session windows (count/sum/max, one window per key) and the interval
 * join with 1 and with 10 buffered records per key (rows and provenance are held by the
 * input too, so they are not counted: what remains is the buffers' overhead).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { keys: { type: 'string', default: '200000' }, root: { type: 'string' } }, strict: true });
const root = resolve(args.root ?? resolve(import.meta.dirname, '..'));
const N = Number(args.keys);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const load = (path: string) => import(pathToFileURL(resolve(root, path)).href);
const { OperatorTestHarness } = await load('core/testing/index.ts');
const { windowAggregatePlugin } = await load('plugins/operator-window-aggregate/index.ts');
const { intervalJoinPlugin } = await load('plugins/operator-interval-join/index.ts');

const T0 = 1_700_000_000_000;
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

/** Bytes the harness's state grows by while `records` are pushed, per key. */
function measure(h: { push(records: unknown[], input?: number): unknown }, records: unknown[], keys: number): number {
  const before = heap();
  for (let i = 0; i < records.length; i += 1024) h.push(records.slice(i, i + 1024), 0);
  return Math.round((heap() - before) / keys);
}

const aggregates = { n: 'count', total: { sum: 'amount' }, top: { max: 'amount' } };
const windowRecords = Array.from({ length: N }, (_, i) => ({ value: { user_id: i + 1, amount: (i % 500) + 0.25 }, time: T0 + i }));
for (const [name, window] of [['tumbling 1h', { tumbling: '1h' }], ['session 10m', { session: { gap: '10m' } }]] as const) {
  const h = OperatorTestHarness.for(windowAggregatePlugin, { key: 'user_id', window, aggregates });
  console.log(`window_aggregate ${name}: ${measure(h, windowRecords, N)} B/key (${N} keys, one window each)`);
}
for (const perKey of [1, 10]) {
  const keys = N / perKey;
  const records = Array.from({ length: N }, (_, i) => ({
    value: { user_id: (i % keys) + 1, group: 'control', ts: T0 + i }, time: T0 + i, provenance: { source: 'traffic', offset: i },
  }));
  const h = OperatorTestHarness.for(intervalJoinPlugin, { key: 'user_id', lower: '0s', upper: '1h' });
  const bytes = measure(h, records, keys);
  console.log(`interval_join, ${perKey} record(s)/key: ${bytes} B/key, ${Math.round(bytes / perKey)} B/record beyond rows and provenance`);
}
