import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APPEND_ONLY } from '../../core/api/index.ts';
import { OperatorTestHarness } from '../../core/testing/index.ts';
import { broadcastPlugin } from './index.ts';

const inputs = [{ changelog: APPEND_ONLY, allowedLateness: 0 }, { changelog: APPEND_ONLY, allowedLateness: 0 }];
const config = { key: 'exp', effective_from: 'from', max_wait: '10ms', thing: 'experiment' };
const main = (exp: string, t: number) => ({ value: { exp, t }, time: t, provenance: { source: 'm', offset: t } });
const meta = (exp: string, from: number | string, name: string, time = 0) => ({ value: { exp, from, name }, time });

void test('joins with the version effective at the record time; the side input does not hold the watermark', () => {
  const h = OperatorTestHarness.for(broadcastPlugin, config, { inputs });
  h.push([meta('e1', 0, 'v0'), meta('e1', 100, 'v1'), meta('e1', '1970-01-01T00:00:00.050Z', 'v½')], 1);
  h.push([main('e1', 10), main('e1', 60), main('e1', 100), main('e1', 500)]);
  assert.deepEqual(h.outputValues().map((v) => (v.experiment as { name: string }).name), ['v0', 'v½', 'v1', 'v1']);
  assert.deepEqual(h.output()[0]!.provenance, { source: 'm', offset: 10 });
  h.watermark(1000, 0);
  assert.equal(h.currentWatermark, 1000);
});

void test('an unknown entry waits up to max_wait, then is dead-lettered as unknown_<thing>', async () => {
  const h = OperatorTestHarness.for(broadcastPlugin, config, { inputs });
  h.push([main('e2', 100), main('e3', 100), main('e2', 50)]);
  h.watermark(105, 0); // e2@50 waited until 60
  assert.deepEqual(h.deadLetters().map((d) => [d.reason, (d.record as { t: number }).t]), [['unknown_experiment', 50]]);
  const r = await OperatorTestHarness.for(broadcastPlugin, config, { inputs }).restore(await h.snapshot());
  r.push([meta('e2', 60, 'late metadata')], 1); // resolves the waiting e2@100
  assert.deepEqual(r.outputValues().map((v) => [v.exp, v.t]), [['e2', 100]]);
  r.watermark(109, 0);
  assert.equal(r.deadLetters().length, 0);
  r.watermark(110, 0);
  assert.deepEqual(r.deadLetters().map((d) => [d.reason, (d.record as { exp: string }).exp, (d.record as { t: number }).t]), [
    ['unknown_experiment', 'e3', 100],
  ]);
  r.push([main('e4', 90)]); // already past its wait
  assert.equal(r.deadLetters()[1]!.reason, 'unknown_experiment');
  assert.deepEqual(r.deadLetters()[1]!.provenance, { source: 'm', offset: 90 });
});

void test('bad side records are dead-lettered', () => {
  const h = OperatorTestHarness.for(broadcastPlugin, config, { inputs });
  h.push([{ value: { from: 1 }, time: 0 }, meta('e', 'not a time', 'x')], 1);
  assert.deepEqual(h.deadLetters().map((d) => d.reason), ['missing_key', 'bad_effective_from']);
});

void test('a waiting record gets the version in force once its whole side batch is in, not the first one put', () => {
  const h = OperatorTestHarness.for(broadcastPlugin, config, { inputs });
  h.push([main('e4', 150)]);
  h.push([meta('e4', 0, 'v0'), meta('e4', 100, 'v1')], 1);
  assert.deepEqual(h.outputValues().map((v) => (v.experiment as { name: string }).name), ['v1']);
});

void test('before_first: earliest gives a record older than the first known version that version; wait keeps it waiting', () => {
  const earliest = OperatorTestHarness.for(broadcastPlugin, { ...config, before_first: 'earliest' }, { inputs });
  earliest.push([meta('e1', 100, 'latest only')], 1);
  earliest.push([main('e1', 10), main('e1', 150)]);
  assert.deepEqual(earliest.outputValues().map((v) => [v.t, (v.experiment as { name: string }).name]), [[10, 'latest only'], [150, 'latest only']]);
  const wait = OperatorTestHarness.for(broadcastPlugin, config, { inputs });
  wait.push([meta('e1', 100, 'latest only')], 1);
  wait.push([main('e1', 10), main('e1', 150)]);
  assert.deepEqual(wait.outputValues().map((v) => v.t), [150]);
  wait.watermark(20, 0);
  assert.deepEqual(wait.deadLetters().map((d) => (d.record as { t: number }).t), [10]);
});
