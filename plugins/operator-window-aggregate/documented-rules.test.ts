// The rules the plugin's docs state (spec.ts, index.ts description), checked against the
// operator: the session gap, the output row and its event time, and the key-field check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorTestHarness } from '../../core/testing/index.ts';
import { windowAggregatePlugin } from './index.ts';
import { windowAggregateSpec } from './spec.ts';

const r = (k: string, t: number) => ({ value: { k }, time: t });
const session = (gap: string) => OperatorTestHarness.for(windowAggregatePlugin, { key: 'k', window: { session: { gap } }, aggregates: { n: 'count' } });

void test('session: records at most gap apart form one session, ending gap after its last record', () => {
  const h = session('10ms');
  h.push([r('a', 0), r('a', 10), r('a', 20)]).watermark(100); // exactly gap apart: one session
  assert.deepEqual(h.output().map((o) => [o.value.window_start, o.value.window_end, o.value.n]), [[0, 30, 3]]);
});

void test('session: records more than gap apart are two sessions', () => {
  const h = session('10ms');
  h.push([r('a', 0), r('a', 11)]).watermark(100);
  assert.deepEqual(h.output().map((o) => [o.value.window_start, o.value.window_end, o.value.n]), [[0, 10, 1], [11, 21, 1]]);
});

void test('output rows hold the key fields, window_start, window_end and the aggregates, at event time window_end − 1', () => {
  const h = OperatorTestHarness.for(windowAggregatePlugin, { key: 'k', window: { tumbling: '10ms' }, aggregates: { n: 'count' } });
  h.push([r('a', 3)]).watermark(9);
  const [out] = h.output();
  assert.deepEqual(Object.keys(out!.value), ['k', 'window_start', 'window_end', 'n']);
  assert.equal(out!.time, 9);
  const docs = JSON.stringify(windowAggregatePlugin.description);
  assert.match(docs, /window_end − 1/);
  assert.match(JSON.stringify(windowAggregateSpec), /at most `gap` apart form one session/);
});

void test('a key field named window_start or window_end is an error at that key', () => {
  const check = (key: string | string[]) =>
    windowAggregatePlugin.check!({ key, window: { tumbling: 60_000 }, allowed_lateness: 0, aggregates: { n: 'count' } } as never);
  assert.deepEqual(check(['user', 'window_start']).map((i) => [i.path, i.severity]), [[['key', 1], 'error']]);
  assert.deepEqual(check('window_end').map((i) => [i.path, i.severity]), [[['key'], 'error']]);
  assert.match(check('window_end')[0]!.message, /collides with the 'window_end' the window writes/);
  assert.deepEqual(check(['user', 'window']), []);
});
