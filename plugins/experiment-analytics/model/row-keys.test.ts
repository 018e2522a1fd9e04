import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countsRowKey, epochKey, parseCountsRowKey, statsRowKey, TRIGGER_ACTION } from './index.ts';

void test('row keys have the HBase layout, epoch padded to 13 digits', () => {
  assert.equal(countsRowKey('exp_7', 1_700_000_000_000, 1, 'click', 'control'), 'exp_7|1700000000000|1|click|control');
  assert.equal(countsRowKey('e', 86_400_000, 0, TRIGGER_ACTION, 't'), 'e|0000086400000|0|_|t');
  assert.equal(statsRowKey('e', 5, 2, 'save', 'propensity', 't1'), 'e|0000000000005|2|save|propensity|t1');
  assert.throws(() => epochKey(1e13), /13 digits/);
  assert.throws(() => epochKey(-1), /13 digits/);
});

void test('parseCountsRowKey inverts countsRowKey and rejects other shapes', () => {
  assert.deepEqual(parseCountsRowKey('exp_7|1700000000000|1|click|control'), { experiment_id: 'exp_7', epoch_start: 1_700_000_000_000, segment: 1, action: 'click', group: 'control' });
  assert.equal(parseCountsRowKey('exp_7|17|1|click|control'), undefined);
  assert.equal(parseCountsRowKey('a|b'), undefined);
});
