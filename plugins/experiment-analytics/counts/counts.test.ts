import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APPEND_ONLY } from 'sluice/api';
import type { Batch, Provenance, Row } from 'sluice/api';
import { OperatorTestHarness, UpsertCompactor, builtinOperator } from 'sluice/testing';
import type { OutputRecord } from 'sluice/testing';
import { EPOCH_MS, countsRowKey } from '../model/index.ts';
import { experimentCounts, experimentUserCounts } from './index.ts';

const keyedProcessPlugin = await builtinOperator('keyed_process');

const E = 1_767_225_600_000;
const slot = { experiment_id: 'exp_1', epoch_start: E, segment: 0 };
const action = (user: string, a: string, ts: number, group = 'c') => ({ value: { ...slot, group, user_id: user, action: a }, time: ts, provenance: { source: 'traffic', offset: `${user}-${ts}` } as Provenance });
const trigger = (user: string, ts: number, group = 'c') => ({ value: { ...slot, group, user_id: user, event_id: `t-${user}`, epoch_end: E + EPOCH_MS, ts }, time: ts });
const appendInput = { changelog: APPEND_ONLY, allowedLateness: 0 };
const countsConfig = { function: experimentCounts, key: ['experiment_id', 'epoch_start', 'segment', 'group'], allowed_lateness: '10m', options: { allowed_lateness: '10m' } };
const userConfig = { function: experimentUserCounts, key: 'user_id', allowed_lateness: '10m', options: { allowed_lateness: '10m' } };

/** `experiment_user_counts` → `experiment_counts`, as in the flagship: each batch's deltas go on as one batch. */
class Chain {
  readonly users = OperatorTestHarness.for(keyedProcessPlugin, userConfig, { inputs: [appendInput] });
  readonly counts = OperatorTestHarness.for(keyedProcessPlugin, countsConfig, { inputs: [appendInput, appendInput] });
  private forwarded = 0;

  pairs(records: readonly ReturnType<typeof action>[]): readonly OutputRecord[] {
    const before = this.counts.output().length;
    this.users.push(records);
    const deltas = this.users.output().slice(this.forwarded);
    this.forwarded = this.users.output().length;
    if (deltas.length) this.counts.push(deltas.map((d) => ({ value: d.value, time: d.time, provenance: d.provenance })));
    return this.counts.output().slice(before);
  }
  triggers(records: readonly ReturnType<typeof trigger>[]): this {
    this.counts.push(records, 1);
    return this;
  }
  watermark(ts: number): this {
    this.users.watermark(ts);
    this.counts.watermark(ts);
    return this;
  }
}

void test('user counts: one delta per changed row per batch, summed over users, at the time and provenance of its last pair', () => {
  const h = OperatorTestHarness.for(keyedProcessPlugin, userConfig, { inputs: [appendInput] });
  h.push([action('u1', 'click', E + 10), action('u2', 'save', E + 11), action('u1', 'click', E + 12), action('u2', 'click', E + 13)]);
  const out = h.output();
  assert.deepEqual(out.map((r) => [r.value.action, r.value.volume, r.value.propensity, r.value.sum_sq, r.time, r.provenance]), [
    ['click', 3, 2, 1 + 3 + 1, E + 13, { source: 'traffic', offset: `u2-${E + 13}` }],
    ['save', 1, 1, 1, E + 11, { source: 'traffic', offset: `u2-${E + 11}` }],
  ]);
  // The next batch continues each user's counts: u1's third click adds 2·2 + 1 to sum_sq.
  h.push([action('u1', 'click', E + 20)]);
  assert.deepEqual(out.slice(2).map((r) => [r.value.volume, r.value.propensity, r.value.sum_sq]), [[1, 0, 5]]);
});

void test('counts: volume, propensity and sum_sq per action, triggered users per group, one upsert row per changed row per batch', () => {
  const c = new Chain();
  c.triggers([trigger('u1', E + 1), trigger('u2', E + 2)]).watermark(E + 5);
  assert.deepEqual(c.counts.output().map((r) => r.kind), ['insert', 'update']);
  assert.deepEqual(c.counts.output()[1]!.value, {
    row_key: `exp_1|${E}|0|_|c`, experiment_id: 'exp_1', epoch_start: E, segment: 0, action: '_', group: 'c',
    volume: null, propensity: null, triggered: 2, sum_sq: null, watermark_ms: null,
  });
  const out = c.pairs([action('u1', 'click', E + 10), action('u1', 'click', E + 11), action('u2', 'click', E + 12), action('u1', 'click', E + 13), action('u2', 'save', E + 14)]);
  assert.deepEqual(out.map((r) => [r.kind, r.time]), [['insert', E + 13], ['insert', E + 14]]);
  // u1 clicked 3 times, u2 once: volume 4, propensity 2, sum_sq 3² + 1² = 10.
  assert.deepEqual(out[0]!.value, {
    row_key: `exp_1|${E}|0|click|c`, experiment_id: 'exp_1', epoch_start: E, segment: 0, action: 'click', group: 'c',
    volume: 4, propensity: 2, triggered: null, sum_sq: 10, watermark_ms: E + 5,
  });
  assert.equal(out[1]!.value.row_key, `exp_1|${E}|0|save|c`);
  const next = c.pairs([action('u2', 'click', E + 20)]);
  assert.deepEqual(next.map((r) => [r.kind, r.value.volume, r.value.propensity, r.value.sum_sq]), [['update', 5, 2, 9 + 4]]);
});

void test('groups are separate rows; late pairs within the allowance count, later ones go to the late output', () => {
  const c = new Chain();
  c.pairs([action('u1', 'click', E + 100, 'c'), action('u9', 'click', E + 100, 't')]);
  c.watermark(E + 10 * 60_000 + 100);
  c.pairs([action('u1', 'click', E + 100, 'c'), action('u1', 'click', E + 99, 'c')]);
  assert.deepEqual(c.users.late().map((r) => r.reason), ['process_late']);
  const rows = c.counts.outputValues().filter((v) => v.group === 'c');
  assert.deepEqual(rows.map((v) => [v.volume, v.sum_sq]), [[1, 1], [2, 4]]);
  assert.equal(c.counts.outputValues().filter((v) => v.group === 't').length, 1);
});

void test('state is dropped at epoch end + allowed lateness, and survives a snapshot before it', async () => {
  const c = new Chain();
  c.pairs([action('u1', 'click', E + EPOCH_MS - 1)]);
  const counts = c.counts.backend.table(c.counts.host.id, 'counts');
  const users = c.users.backend.table(c.users.host.id, 'counts');
  assert.equal(counts.size, 1);
  assert.equal(users.size, 1);
  const r = new Chain();
  await r.users.restore(await c.users.snapshot());
  await r.counts.restore(await c.counts.snapshot());
  c.watermark(E + EPOCH_MS + 10 * 60_000);
  assert.equal(counts.size, 0);
  assert.equal(users.size, 0);
  const out = r.pairs([action('u1', 'click', E + EPOCH_MS - 2)]);
  assert.deepEqual(out.map((v) => [v.kind, v.value.volume, v.value.propensity, v.value.sum_sq]), [['update', 2, 1, 4]]);
});

/** The counts as they were computed before the split, one upsert row per pair: the oracle. */
function perPairCounts(batches: readonly ReturnType<typeof action>[][]): Batch[] {
  const rows = new Map<string, { volume: number; propensity: number; sum_sq: number; users: Map<string, number> }>();
  return batches.map((records) => {
    const values: Row[] = [];
    const kinds: ('insert' | 'update')[] = [];
    for (const { value: v } of records) {
      const key = countsRowKey(v.experiment_id, v.epoch_start, v.segment, v.action, v.group);
      let row = rows.get(key);
      kinds.push(row ? 'update' : 'insert');
      if (!row) rows.set(key, (row = { volume: 0, propensity: 0, sum_sq: 0, users: new Map() }));
      const n = row.users.get(v.user_id) ?? 0;
      row.users.set(v.user_id, n + 1);
      row.volume++;
      row.sum_sq += 2 * n + 1;
      if (n === 0) row.propensity++;
      values.push({ row_key: key, volume: row.volume, propensity: row.propensity, sum_sq: row.sum_sq });
    }
    return { length: records.length, values, times: records.map((r) => r.time), kinds, provenance: records.map((r) => r.provenance) };
  });
}

void test('the compacted counts stream is the same as counting pair by pair (seeded random batches)', () => {
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
  const batches = Array.from({ length: 40 }, (_, b) =>
    Array.from({ length: 1 + rand(60) }, (_, i) => action(`u${rand(30)}`, ['click', 'save', 'view'][rand(3)]!, E + b * 1000 + i, rand(2) ? 'c' : 't')),
  );
  const c = new Chain();
  const compact = (batch: Batch) => {
    const compactor = new UpsertCompactor(['row_key']);
    compactor.add(batch);
    const out = compactor.take();
    return out.values.map((v, i) => [v.row_key, v.volume, v.propensity, v.sum_sq, out.times[i], out.kinds?.[i] ?? 'insert', out.provenance?.[i]]);
  };
  const expected = perPairCounts(batches).map(compact);
  const got = batches.map((records) => {
    const out = c.pairs(records);
    return compact({ length: out.length, values: out.map((r) => r.value), times: out.map((r) => r.time), kinds: out.map((r) => r.kind), provenance: out.map((r) => r.provenance) });
  });
  assert.deepEqual(got, expected);
});
