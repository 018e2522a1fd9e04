import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorTestHarness, APPEND_ONLY } from '../../core/testing/index.ts';
import { repartitionPlugin } from './index.ts';
import type { RepartitionConfig } from './spec.ts';

void test('in one process records pass through unchanged, keyed by the new key', () => {
  const h = OperatorTestHarness.for(repartitionPlugin, { key: ['experiment_id', 'group'], partitions: 4 });
  const a = { experiment_id: 'e1', group: 'A', user: 'u1' };
  const prov = { source: 's', line: 2 };
  h.push([{ value: a, time: 3, provenance: prov }, { value: { experiment_id: 'e2', group: 'B' }, time: 4 }]);
  assert.equal(h.output()[0]!.value, a);
  assert.deepEqual(h.output(), [
    { value: a, time: 3, kind: 'insert', provenance: prov },
    { value: { experiment_id: 'e2', group: 'B' }, time: 4, kind: 'insert' },
  ]);
  const out = repartitionPlugin.plan({ key: 'experiment_id' } as RepartitionConfig, [{ changelog: APPEND_ONLY, allowedLateness: 5, key: ['user'] }]).output;
  assert.deepEqual(out, { changelog: APPEND_ONLY, allowedLateness: 5, key: ['experiment_id'] });
});

void test('a record without the key is dead-lettered here with missing_key', () => {
  const h = OperatorTestHarness.for(repartitionPlugin, { key: 'experiment_id' });
  h.push([{ value: { experiment_id: 'e' }, time: 1 }, { value: { other: 1 }, time: 2 }]);
  assert.deepEqual(h.outputValues(), [{ experiment_id: 'e' }]);
  assert.deepEqual(h.deadLetters().map((d) => d.reason), ['missing_key']);
  assert.match(repartitionPlugin.check!({ key: ['a', 'a'] })[0]!.message, /twice/);
});
