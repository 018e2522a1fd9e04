/**
 * Throughput of the stateful operators through the test kit (one process, one core):
 * interval_join and window_aggregate with ~100k active keys, and their state bytes per key.
 * Not a test; run with `node --import tsx core/testing/harness.bench.ts`. The job-level
 * benchmark is `npm run bench`.
 */
import { APPEND_ONLY } from '../api/index.ts';
import type { Row } from '../api/index.ts';
import { intervalJoinPlugin } from '../../plugins/operator-interval-join/index.ts';
import { windowAggregatePlugin } from '../../plugins/operator-window-aggregate/index.ts';
import { OperatorTestHarness } from './index.ts';

const KEYS = 100_000;
const BATCH = 1_000;
const stream = { changelog: APPEND_ONLY, allowedLateness: 0 };

/** Deterministic pseudo-random keys (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function batchOf(start: number, random: () => number, perMs: number): { value: Row; time: number }[] {
  const out: { value: Row; time: number }[] = new Array(BATCH);
  for (let j = 0; j < BATCH; j++) {
    const i = start + j;
    out[j] = { value: { k: `user-${Math.floor(random() * KEYS)}`, amount: i % 100, i }, time: Math.floor(i / perMs) };
  }
  return out;
}

function report(name: string, records: number, ms: number, h: OperatorTestHarness, emitted: number): void {
  const stats = h.stateStats();
  console.log(
    `${name}: ${records} records in ${(ms / 1000).toFixed(2)} s = ${Math.round(records / (ms / 1000)).toLocaleString('en')} records/s; ` +
      `${emitted} emitted; state ${stats.keys} keys, ${Math.round(stats.bytes / Math.max(1, stats.keys))} bytes/key (serialised), ${stats.timers} timers`,
  );
}

function intervalJoin(total: number): void {
  const h = OperatorTestHarness.for(intervalJoinPlugin, { key: 'k', lower: '-60s', upper: '60s' }, { inputs: [stream, stream] });
  const left = rng(1);
  const right = rng(2);
  let emitted = 0;
  const started = performance.now();
  for (let i = 0; i < total; i += 2 * BATCH) {
    h.push(batchOf(i, left, 10), 0);
    h.push(batchOf(i + BATCH, right, 10), 1);
    h.watermark(Math.floor(i / 10) - 1_000);
    emitted += h.output().length;
    h.clearOutputs();
  }
  const ms = performance.now() - started;
  report('interval_join', total, ms, h, emitted);
}

function windowAggregate(total: number): void {
  const h = OperatorTestHarness.for(windowAggregatePlugin, { key: 'k', window: { tumbling: '1m' }, aggregates: { n: 'count', total: { sum: 'amount' } } });
  const random = rng(3);
  let emitted = 0;
  const started = performance.now();
  for (let i = 0; i < total; i += BATCH) {
    h.push(batchOf(i, random, 10));
    h.watermark(Math.floor(i / 10) - 1_000);
    emitted += h.output().length;
    h.clearOutputs();
  }
  const ms = performance.now() - started;
  report('window_aggregate', total, ms, h, emitted);
}

const total = Number(process.argv[2] ?? 1_000_000);
intervalJoin(total);
windowAggregate(total);
