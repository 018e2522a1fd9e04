import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APPEND_ONLY } from 'sluice/api';
import { OperatorTestHarness, builtinOperator } from 'sluice/testing';
import { EPOCH_MS } from '../model/index.ts';
import './index.ts';

const keyedProcessPlugin = await builtinOperator('keyed_process');

const E = 1_767_225_600_000;
const slot = { experiment_id: 'exp_1', epoch_start: E, segment: 0 };
const action = (user: string, a: string, ts: number, group = 'c') => ({ value: { ...slot, group, user_id: user, action: a }, time: ts });
const trigger = (user: string, ts: number, group = 'c') => ({ value: { ...slot, group, user_id: user, event_id: `t-${user}`, epoch_end: E + EPOCH_MS, ts }, time: ts });
const config = { function: 'experiment_counts', key: ['experiment_id', 'epoch_start', 'segment', 'group'], allowed_lateness: '10m', options: { allowed_lateness: '10m' } };
const appendInput = { changelog: APPEND_ONLY, allowedLateness: 0 };
const harness = () => OperatorTestHarness.for(keyedProcessPlugin, config, { inputs: [appendInput, appendInput] });

void test('volume, propensity and sum_sq per action, triggered users per group, each change an upsert row', () => {
  const h = harness();
  h.push([trigger('u1', E + 1), trigger('u2', E + 2)], 1);
  h.watermark(E + 5);
  h.push([action('u1', 'click', E + 10), action('u1', 'click', E + 11), action('u2', 'click', E + 12), action('u1', 'click', E + 13), action('u2', 'save', E + 14)]);
  const out = h.output();
  assert.deepEqual(out.map((r) => r.kind), ['insert', 'update', 'insert', 'update', 'update', 'update', 'insert']);
  assert.deepEqual(out.map((r) => r.time), [E + 1, E + 2, E + 10, E + 11, E + 12, E + 13, E + 14]);
  assert.deepEqual(out[1]!.value, {
    row_key: `exp_1|${E}|0|_|c`, experiment_id: 'exp_1', epoch_start: E, segment: 0, action: '_', group: 'c',
    volume: null, propensity: null, triggered: 2, sum_sq: null, watermark_ms: null,
  });
  // u1 clicked 3 times, u2 once: volume 4, propensity 2, sum_sq 3² + 1² = 10.
  assert.deepEqual(out[5]!.value, {
    row_key: `exp_1|${E}|0|click|c`, experiment_id: 'exp_1', epoch_start: E, segment: 0, action: 'click', group: 'c',
    volume: 4, propensity: 2, triggered: null, sum_sq: 10, watermark_ms: E + 5,
  });
  assert.deepEqual(out[6]!.value.row_key, `exp_1|${E}|0|save|c`);
});

void test('groups are separate keys; late records within the allowance count, later ones go to the late output', () => {
  const h = harness();
  h.push([action('u1', 'click', E + 100, 'c'), action('u9', 'click', E + 100, 't')]);
  h.watermark(E + 10 * 60_000 + 100);
  h.push([action('u1', 'click', E + 100, 'c'), action('u1', 'click', E + 99, 'c')]);
  assert.deepEqual(h.late().map((r) => r.reason), ['process_late']);
  const rows = h.outputValues().filter((v) => v.group === 'c');
  assert.deepEqual(rows.map((v) => v.volume), [1, 2]);
  assert.equal(h.outputValues().filter((v) => v.group === 't').length, 1);
});

void test('state is dropped at epoch end + allowed lateness, and survives a snapshot before it', async () => {
  const h = harness();
  h.push([action('u1', 'click', E + EPOCH_MS - 1)]);
  const counts = h.backend.table(h.host.id, 'counts');
  assert.equal(counts.size, 1);
  const r = await harness().restore(await h.snapshot());
  h.watermark(E + EPOCH_MS + 10 * 60_000);
  assert.equal(counts.size, 0);
  r.push([action('u1', 'click', E + EPOCH_MS - 2)]);
  assert.deepEqual(r.outputValues().map((v) => [v.volume, v.sum_sq]), [[2, 4]]);
});
