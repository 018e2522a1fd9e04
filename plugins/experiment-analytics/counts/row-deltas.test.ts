import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EPOCH_MS } from '../model/index.ts';
import { RowDeltas } from './row-deltas.ts';

const E = 1_767_225_600_000;
const pair = (experiment: string, epoch: number, action: string, group = 'c') => [experiment, epoch, 0, group, action] as const;

void test('one row object per (experiment, epoch, segment, group, action); deltas reset by take', () => {
  const rows = new RowDeltas();
  const a = rows.rowOf(...pair('e1', E, 'click'));
  assert.equal(rows.rowOf(...pair('e1', E, 'click')), a);
  assert.notEqual(rows.rowOf(...pair('e1', E, 'click', 't')), a);
  assert.notEqual(rows.rowOf(...pair('e1', E + EPOCH_MS, 'click')), a);
  assert.equal(a.row_key, `e1|${E}|0|click|c`);
  rows.add(a, 0, 5, undefined, undefined);
  rows.add(a, 2, 7, undefined, undefined);
  const seen: [number, number, number, number][] = [];
  rows.take((r) => seen.push([r.volume, r.propensity, r.sum_sq, r.time]));
  assert.deepEqual(seen, [[2, 1, 1 + 5, 7]]);
  rows.take(() => assert.fail('nothing changed since the last take'));
});

void test('prune forgets rows of epochs past the allowed lateness, once enough rows were seen', () => {
  const rows = new RowDeltas();
  const old = rows.rowOf(...pair('e1', E, 'click'));
  for (let i = 0; i < 5000; i++) rows.rowOf(...pair(`x${i}`, E + EPOCH_MS, 'click'));
  const kept = rows.rowOf(...pair('x1', E + EPOCH_MS, 'click'));
  rows.prune(E + EPOCH_MS + 600_000, 600_000);
  assert.notEqual(rows.rowOf(...pair('e1', E, 'click')), old);
  assert.equal(rows.rowOf(...pair('x1', E + EPOCH_MS, 'click')), kept);
});
