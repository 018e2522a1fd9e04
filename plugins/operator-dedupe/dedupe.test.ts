import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorTestHarness } from '../../core/testing/index.ts';
import { dedupePlugin } from './index.ts';

const rec = (value: Record<string, unknown>, time: number) => ({ value, time, provenance: { source: 's', line: time } });

void test('emits the first occurrence by event_id, else by fields; counts duplicates', () => {
  const h = OperatorTestHarness.for(dedupePlugin, { fields: ['user', 'action'], out_of_orderness: '10ms' });
  h.push([
    rec({ event_id: 'a', x: 1 }, 5),
    rec({ event_id: 'a', x: 2 }, 5),
    rec({ user: 'u', action: 'click' }, 6),
    rec({ user: 'u', action: 'click', extra: 1 }, 7),
    rec({ user: 'u', action: 'save' }, 7),
    rec({ event_id: '=u', user: 'u', action: 'click' }, 8), // an id never collides with a field tuple
  ]);
  assert.deepEqual(h.outputValues(), [{ event_id: 'a', x: 1 }, { user: 'u', action: 'click' }, { user: 'u', action: 'save' }, { event_id: '=u', user: 'u', action: 'click' }]);
  assert.equal(h.counter('duplicates'), 2);
  assert.deepEqual(h.output()[0]!.provenance, { source: 's', line: 5 });
});

void test('a record without id or fields is dead-lettered with missing_key', () => {
  const h = OperatorTestHarness.for(dedupePlugin, {});
  h.push([rec({ other: 1 }, 1)]);
  assert.equal(h.deadLetters()[0]!.reason, 'missing_key');
  const g = OperatorTestHarness.for(dedupePlugin, { fields: ['a', 'b'] });
  g.push([rec({ a: 1 }, 1)]);
  assert.match(String(g.deadLetters()[0]!.error), /no 'b'/);
});

void test('ids are remembered until W > largest ts + ttl; late records go to the late output', () => {
  const h = OperatorTestHarness.for(dedupePlugin, { out_of_orderness: '10ms', allowed_lateness: '5ms' }); // ttl 15
  h.push([rec({ event_id: 'a' }, 100)]);
  h.watermark(110);
  h.push([rec({ event_id: 'a' }, 105)]); // not late (105 ≥ 110 − 5): duplicate, refreshes nothing (105 < 100? no: max stays 105)
  h.watermark(120); // 120 ≤ 105 + 15: still remembered
  h.push([rec({ event_id: 'a' }, 115)]);
  assert.equal(h.counter('duplicates'), 2);
  h.watermark(131); // 131 > 115 + 15: forgotten
  h.push([rec({ event_id: 'a' }, 126), rec({ event_id: 'b' }, 125)]);
  assert.deepEqual(h.outputValues(), [{ event_id: 'a' }, { event_id: 'a' }]);
  assert.deepEqual(h.late(), [{ operator: 'op', reason: 'dedupe_late', watermark: 131, event_time: 125, record: { event_id: 'b' }, provenance: { source: 's', line: 125 } }]);
  assert.equal(h.stateStats().keys, 1);
});

void test('the same-time duplicate at the lateness bound is caught even with ttl 0', () => {
  const h = OperatorTestHarness.for(dedupePlugin, {});
  h.push([rec({ event_id: 'a' }, 10)]);
  h.watermark(10);
  h.push([rec({ event_id: 'a' }, 10)]); // ts = W: not late, must be a duplicate
  assert.equal(h.outputValues().length, 1);
  assert.equal(h.counter('duplicates'), 1);
  h.watermark(11);
  assert.equal(h.stateStats().keys, 0, 'expired and cleaned');
});

void test('state survives snapshot and restore', async () => {
  const config = { out_of_orderness: '1s' };
  const h = OperatorTestHarness.for(dedupePlugin, config);
  h.push([rec({ event_id: 'a' }, 1)]).watermark(2);
  const r = await OperatorTestHarness.for(dedupePlugin, config).restore(await h.snapshot());
  r.push([rec({ event_id: 'a' }, 3), rec({ event_id: 'c' }, 3)]);
  assert.deepEqual(r.outputValues(), [{ event_id: 'c' }]);
  assert.equal(r.counter('duplicates'), 1);
});
