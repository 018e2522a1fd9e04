import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorTestHarness, APPEND_ONLY } from '../../core/testing/index.ts';
import type { StreamInfo } from '../../core/testing/index.ts';
import { filterPlugin } from './index.ts';

void test('keeps records whose predicate is true, unchanged, and counts the others', () => {
  const kept = { amount: 150, kind: 'a' };
  const prov = { source: 'orders', partition: 0, offset: 12 };
  const h = OperatorTestHarness.for(filterPlugin, { where: 'amount > 100' });
  h.push([
    { value: kept, time: 10, kind: 'update', provenance: prov },
    { value: { amount: 50 }, time: 11 },
    { value: { amount: 100.5 }, time: 12 },
  ]);
  assert.deepEqual(h.output(), [
    { value: kept, time: 10, kind: 'update', provenance: prov },
    { value: { amount: 100.5 }, time: 12, kind: 'insert' },
  ]);
  assert.equal(h.output()[0]!.value, kept, 'the same record object, not a copy');
  assert.equal(h.counter('filtered'), 1);
});

void test('a failing or non-boolean predicate dead-letters the record with expr_error', () => {
  const h = OperatorTestHarness.for(filterPlugin, { where: 'flag' });
  h.push([{ value: { flag: true }, time: 1 }, { value: {}, time: 2 }, { value: { flag: 'yes' }, time: 3 }, { value: { flag: false }, time: 4 }]);
  assert.deepEqual(h.outputValues(), [{ flag: true }]);
  assert.deepEqual(h.deadLetters().map((d) => [d.reason, d.record]), [['expr_error', {}], ['expr_error', { flag: 'yes' }]]);
  assert.match(String(h.deadLetters()[1]!.error), /true or false/);
  assert.equal(h.counter('filtered'), 1);
  const guarded = OperatorTestHarness.for(filterPlugin, { where: 'has(self.flag) && flag' });
  guarded.push([{ value: {}, time: 1 }, { value: { flag: true }, time: 2 }]);
  assert.deepEqual(guarded.outputValues(), [{ flag: true }]);
  assert.deepEqual(guarded.deadLetters(), []);
});

void test('plan: the output is the input stream', () => {
  const input: StreamInfo = { changelog: { mode: 'upsert', key: ['k'] }, allowedLateness: 9, key: ['k'], fields: { k: 'string' } };
  assert.deepEqual(filterPlugin.plan({ where: 'true' }, [input]), { output: input });
  assert.deepEqual(filterPlugin.plan({ where: 'true' }, [{ changelog: APPEND_ONLY, allowedLateness: 0 }]).output, { changelog: APPEND_ONLY, allowedLateness: 0 });
});
