import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorTestHarness } from '../../core/testing/index.ts';
import { windowAggregatePlugin } from './index.ts';
import { assignWindows, windowShape } from './windows.ts';

const r = (k: string, t: number, v = 1) => ({ value: { k, v }, time: t });
const rows = (h: OperatorTestHarness) => h.output().map((o) => [o.kind, o.value.k, o.value.window_start, o.value.window_end, o.value.n, o.time]);

void test('tumbling: fires at end − 1 as insert; 1 ms boundaries of lateness', () => {
  const h = OperatorTestHarness.for(windowAggregatePlugin, { key: 'k', window: { tumbling: '10ms' }, allowed_lateness: '5ms', aggregates: { n: 'count' } });
  h.push([r('a', 0), r('a', 9), r('a', 10), r('b', 3)]);
  h.watermark(8);
  assert.deepEqual(rows(h), []);
  h.watermark(9); // end − 1 = 9
  assert.deepEqual(rows(h), [['insert', 'a', 0, 10, 2, 9], ['insert', 'b', 0, 10, 1, 9]]);
  h.clearOutputs();
  h.push([r('a', 5)]); // W = 9 < 9 + 5: inside the allowance → update, at the end of the batch
  assert.deepEqual(rows(h), [['update', 'a', 0, 10, 3, 9]]);
  h.clearOutputs();
  h.watermark(13);
  h.push([r('b', 1), r('b', 2)]); // 9 + 5 = 14 > 13: still accepted; one update for the batch
  assert.deepEqual(rows(h), [['update', 'b', 0, 10, 3, 9]]);
  h.clearOutputs();
  h.watermark(14); // window [0,10) dropped at 14
  h.push([r('b', 4)]); // 9 + 5 ≤ 14: late
  assert.deepEqual(rows(h), []);
  assert.equal(h.late()[0]!.reason, 'window_closed');
  assert.equal(h.late()[0]!.watermark, 14);
  assert.equal(h.host.plan.output.changelog.mode, 'upsert');
});

void test('a first record within the allowance for a window that never fired is an insert', () => {
  const h = OperatorTestHarness.for(windowAggregatePlugin, { key: 'k', window: { tumbling: '10ms' }, allowed_lateness: '5ms', aggregates: { n: 'count' } });
  h.watermark(12);
  h.push([r('a', 1)]);
  assert.deepEqual(rows(h), [['insert', 'a', 0, 10, 1, 9]]);
});

void test('without lateness the output is append-only and each window fires once', () => {
  const h = OperatorTestHarness.for(windowAggregatePlugin, { key: 'k', window: { tumbling: { size: '10ms', offset: '3ms' } }, aggregates: { n: 'count' } });
  assert.equal(h.host.plan.output.changelog.mode, 'append');
  h.push([r('a', 2), r('a', 3), r('a', 12)]).endOfInput();
  assert.deepEqual(rows(h), [['insert', 'a', -7, 3, 1, 2], ['insert', 'a', 3, 13, 2, 12]]);
});

void test('sliding windows', () => {
  const h = OperatorTestHarness.for(windowAggregatePlugin, { key: 'k', window: { sliding: { size: '10ms', slide: '5ms' } }, aggregates: { n: 'count' } });
  h.push([r('a', 7)]).endOfInput();
  assert.deepEqual(rows(h), [['insert', 'a', 0, 10, 1, 9], ['insert', 'a', 5, 15, 1, 14]]);
});

void test('cumulate: a step per firing; a late record re-emits every fired step it falls in', () => {
  const h = OperatorTestHarness.for(windowAggregatePlugin, {
    key: 'k', window: { cumulate: { step: '10ms', max_size: '30ms' } }, allowed_lateness: '100ms', aggregates: { n: 'count' },
  });
  h.push([r('a', 5), r('a', 15)]);
  h.watermark(19);
  assert.deepEqual(rows(h), [['insert', 'a', 0, 10, 1, 9], ['insert', 'a', 0, 20, 2, 19]]);
  h.clearOutputs();
  h.push([r('a', 2)]); // falls in [0,10), [0,20) (fired) and [0,30) (not yet)
  assert.deepEqual(rows(h), [['update', 'a', 0, 10, 2, 9], ['update', 'a', 0, 20, 3, 19]]);
  h.clearOutputs();
  h.watermark(29);
  assert.deepEqual(rows(h), [['insert', 'a', 0, 30, 3, 29]]);
  const key = (h.host.plan.output.changelog as { key?: readonly string[] }).key;
  assert.deepEqual(key, ['k', 'window_start', 'window_end']);
});

void test('sessions merge; absorbed fired windows are deleted and the merged one updated', () => {
  const h = OperatorTestHarness.for(windowAggregatePlugin, { key: 'k', window: { session: { gap: '10ms' } }, allowed_lateness: '50ms', aggregates: { n: 'count' } });
  h.push([r('a', 0), r('a', 5), r('a', 30)]); // [0,15) and [30,40)
  h.watermark(40);
  assert.deepEqual(rows(h), [['insert', 'a', 0, 15, 2, 14], ['insert', 'a', 30, 40, 1, 39]]);
  h.clearOutputs();
  h.push([r('a', 18)]); // [18,28) touches neither? 15 < 18 and 28 < 30: a new session, already due → insert
  assert.deepEqual(rows(h), [['insert', 'a', 18, 28, 1, 27]]);
  h.clearOutputs();
  h.push([r('a', 14)]); // [14,24) touches [0,15) and [18,28) → [0,28); [30,40) untouched (28 < 30)
  assert.deepEqual(rows(h), [['delete', 'a', 18, 28, 1, 27], ['update', 'a', 0, 28, 4, 27]]);
  h.clearOutputs();
  h.push([r('a', 29)]); // [29,39) touches [0,28)? 28 ≥ 29? no. touches [30,40): → [29,40)
  assert.deepEqual(rows(h), [['delete', 'a', 30, 40, 1, 39], ['update', 'a', 29, 40, 2, 39]]);
  const table = [...h.clearOutputs().upsertTable().values()];
  assert.deepEqual(table, []);
});

void test('touching sessions merge (Flink) and a merge that extends past the watermark waits to fire', () => {
  const h = OperatorTestHarness.for(windowAggregatePlugin, { key: 'k', window: { session: { gap: '10ms' } }, allowed_lateness: '50ms', aggregates: { n: 'count' } });
  h.push([r('a', 0)]).watermark(9);
  assert.deepEqual(rows(h), [['insert', 'a', 0, 10, 1, 9]]);
  h.clearOutputs();
  h.push([r('a', 10)]); // [10,20) touches [0,10) → [0,20), not due yet
  assert.deepEqual(rows(h), []);
  h.watermark(19);
  assert.deepEqual(rows(h), [['update', 'a', 0, 20, 2, 19]]);
});

void test('aggregates: sum, min, max, avg, distinct, approx_distinct, quantiles; bad values dead-lettered', async () => {
  const config = {
    key: ['k'],
    window: { tumbling: '1s' },
    allowed_lateness: '1s',
    aggregates: {
      n: 'count', total: { sum: 'v' }, lo: { min: 'v' }, hi: { max: 'v' }, mean: { avg: 'v' }, users: { distinct: 'u' },
      approx: { approx_distinct: 'u' }, q: { quantiles: { field: 'v', q: [0.5, 0.99] } },
    },
  };
  const h = OperatorTestHarness.for(windowAggregatePlugin, config);
  h.push(Array.from({ length: 100 }, (_, i) => ({ value: { k: 'a', v: i + 1, u: `u${i % 30}` }, time: i })));
  h.push([{ value: { k: 'a', v: 'x' }, time: 1 }, { value: { k: 'a', u: 'u0' }, time: 2 }]);
  assert.equal(h.deadLetters()[0]!.reason, 'aggregate_type');
  // A restore in the middle: sketches come back from a v8 round trip.
  const r2 = await OperatorTestHarness.for(windowAggregatePlugin, config).restore(await h.snapshot());
  r2.push([{ value: { k: 'a', v: 1000, u: 'new' }, time: 3 }]);
  r2.endOfInput();
  const out = r2.outputValues()[0]!;
  assert.equal(out.n, 102);
  assert.equal(out.total, 5050 + 1000);
  assert.equal(out.lo, 1);
  assert.equal(out.hi, 1000);
  assert.equal(out.mean, 6050 / 101);
  assert.equal(out.users, 31);
  assert.ok(Math.abs((out.approx as number) - 31) <= 1, String(out.approx));
  const q = out.q as { p50: number; p99: number };
  assert.ok(Math.abs(q.p50 - 51) <= 1.5, String(q.p50));
  assert.ok(q.p99 >= 95 && q.p99 <= 101, String(q.p99));
});

void test('config checks', () => {
  assert.throws(() => OperatorTestHarness.for(windowAggregatePlugin, { key: 'k', window: { cumulate: { step: '3ms', max_size: '10ms' } }, aggregates: { n: 'count' } }), /multiple of step/);
  assert.throws(() => OperatorTestHarness.for(windowAggregatePlugin, { key: 'k', window: { tumbling: '1s' }, aggregates: { k: 'count' } }), /clashes/);
  assert.throws(() => OperatorTestHarness.for(windowAggregatePlugin, { key: 'k', window: { hopping: '1s' }, aggregates: { n: 'count' } }), /unknown key "hopping"/);
});

void test('window assignment with negative times and offsets', () => {
  const out: number[] = [];
  assert.equal(assignWindows(windowShape({ tumbling: 10 }), -1, out), 1);
  assert.deepEqual(out.slice(0, 2), [-10, 0]);
  assert.equal(assignWindows(windowShape({ sliding: { size: 10, slide: 3, offset: 1 } }), 5, out), 3);
  assert.deepEqual(out.slice(0, 6), [4, 14, 1, 11, -2, 8]); // [-5, 5) does not hold 5
});

void test('key fields come out with their types, whether read back from the key or kept (objects)', () => {
  const h = OperatorTestHarness.for(windowAggregatePlugin, { key: ['id', 'flag', 'tag'], window: { tumbling: '10ms' }, aggregates: { n: 'count', lo: { min: 'v' } } });
  h.push([
    { value: { id: 7, flag: true, tag: 'x', v: 2 }, time: 1 },
    { value: { id: 7, flag: true, tag: 'x' }, time: 2 },
    { value: { id: 8, flag: false, tag: { deep: [1] } }, time: 3 },
  ]).endOfInput();
  assert.deepEqual(h.output().map((o) => o.value), [
    { id: 7, flag: true, tag: 'x', window_start: 0, window_end: 10, n: 2, lo: 2 },
    { id: 8, flag: false, tag: { deep: [1] }, window_start: 0, window_end: 10, n: 1, lo: null },
  ]);
  assert.equal(h.stateStats().keys, 0);
});
