import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APPEND_ONLY } from 'sluice/api';
import type { Provenance, Row } from 'sluice/api';
import { OperatorTestHarness, builtinOperator } from 'sluice/testing';
import type { OutputRecord } from 'sluice/testing';
import { EPOCH_MS } from '../model/index.ts';
import { experimentCounts, experimentUserCounts } from './index.ts';

const keyedProcessPlugin = await builtinOperator('keyed_process');

const E = 1_767_225_600_000;
const TRACKED = { click: 'up_is_good', save: 'up_is_good', view: 'none' };
/** A first trigger as `first_trigger` emits it. */
export const trigger = (user: string, ts: number, group = 'c', slot = { experiment_id: 'exp_1', epoch_start: E, segment: 0 }) => ({
  value: { event_id: `t-${user}-${ts}`, user_id: user, ...slot, group, epoch_end: slot.epoch_start + EPOCH_MS, ts, actions: TRACKED } as Row,
  time: ts,
  provenance: { source: 'traffic', output: 'activations', offset: `${user}-${ts}` } as Provenance,
});
export const action = (user: string, a: string, ts: number) => ({
  value: { event_id: `x-${user}-${ts}`, user_id: user, action: a, ts } as Row,
  time: ts,
  provenance: { source: 'traffic', output: 'actions', offset: `${user}-${ts}` } as Provenance,
});
const appendInput = { changelog: APPEND_ONLY, allowedLateness: 0 };
const countsConfig = { function: experimentCounts, key: ['experiment_id', 'epoch_start', 'segment', 'group'], allowed_lateness: '10m', options: { allowed_lateness: '10m' } };
const userConfig = { function: experimentUserCounts, key: 'user_id', allowed_lateness: '10m', options: { allowed_lateness: '10m' } };

/** `experiment_user_counts` → `experiment_counts`, as in the flagship: each batch's deltas go on as one batch. */
class Chain {
  readonly users = OperatorTestHarness.for(keyedProcessPlugin, userConfig, { inputs: [appendInput, appendInput] });
  readonly counts = OperatorTestHarness.for(keyedProcessPlugin, countsConfig, { inputs: [appendInput, appendInput] });
  private forwarded = 0;

  /** Triggers go to the user counts (input 0) and to the counts (input 1); returns the counts' new rows. */
  triggers(records: readonly ReturnType<typeof trigger>[]): readonly OutputRecord[] {
    const before = this.counts.output().length;
    this.counts.push(records, 1);
    this.forward(() => this.users.push(records, 0));
    return this.counts.output().slice(before);
  }
  actions(records: readonly ReturnType<typeof action>[]): readonly OutputRecord[] {
    const before = this.counts.output().length;
    this.forward(() => this.users.push(records, 1));
    return this.counts.output().slice(before);
  }
  private forward(run: () => void): void {
    run();
    const deltas = this.users.output().slice(this.forwarded);
    this.forwarded = this.users.output().length;
    if (deltas.length) this.counts.push(deltas.map((d) => ({ value: d.value, time: d.time, provenance: d.provenance })));
  }
  watermark(ts: number): this {
    this.users.watermark(ts);
    this.counts.watermark(ts);
    return this;
  }
}

const pairProvenance = (user: string, t: number, a: number) => [trigger(user, t).provenance, action(user, 'click', a).provenance];

void test('user counts: one delta per changed row per batch, summed over users, at the time and provenance of its last pair', () => {
  const h = OperatorTestHarness.for(keyedProcessPlugin, userConfig, { inputs: [appendInput, appendInput] });
  h.push([trigger('u1', E + 1), trigger('u2', E + 2)], 0);
  assert.equal(h.output().length, 0);
  h.push([action('u1', 'click', E + 10), action('u2', 'save', E + 11), action('u1', 'click', E + 12), action('u2', 'click', E + 13), action('u2', 'hide', E + 14)], 1);
  const out = h.output();
  assert.deepEqual(out.map((r) => [r.value.action, r.value.volume, r.value.propensity, r.value.sum_sq, r.time, r.provenance]), [
    ['click', 3, 2, 1 + 3 + 1, E + 13, pairProvenance('u2', E + 2, E + 13)],
    ['save', 1, 1, 1, E + 11, [trigger('u2', E + 2).provenance, action('u2', 'save', E + 11).provenance]],
  ]);
  assert.equal(h.counter('filtered'), 1, 'hide is not tracked');
  // The next batch continues each user's counts: u1's third click adds 2·2 + 1 to sum_sq.
  h.push([action('u1', 'click', E + 20)], 1);
  assert.deepEqual(out.slice(2).map((r) => [r.value.volume, r.value.propensity, r.value.sum_sq]), [[1, 0, 5]]);
});

void test('a trigger pairs with the actions buffered before it; actions after the window or the epoch end do not pair', () => {
  const h = OperatorTestHarness.for(keyedProcessPlugin, userConfig, { inputs: [appendInput, appendInput] });
  h.push([action('u1', 'click', E + 5), action('u1', 'click', E + 7), action('u1', 'click', E + 3)], 1);
  h.push([trigger('u1', E + 4)], 0); // pairs with E+5 and E+7, not E+3 (before the trigger)
  assert.deepEqual(h.outputValues().map((v) => [v.volume, v.propensity, v.sum_sq]), [[2, 1, 4]]);
  assert.equal(h.output()[0]!.time, E + 7);
  // An action after the epoch's end is filtered; one more than 3 days after the trigger does not pair at all.
  const late = { experiment_id: 'exp_1', epoch_start: E + 1000, segment: 0 };
  h.push([trigger('u2', E + 1000, 'c', late)], 0);
  h.push([action('u2', 'click', E + 1000 + EPOCH_MS - 1), action('u2', 'click', E + 1000 + EPOCH_MS)], 1);
  assert.equal(h.counter('filtered'), 1);
  assert.equal(h.output().length, 2);
});

void test('an action is kept for the allowed lateness: a trigger at the edge of the allowance still pairs with it', () => {
  const h = OperatorTestHarness.for(keyedProcessPlugin, userConfig, { inputs: [appendInput, appendInput] });
  const A = E + 1000;
  h.push([action('u1', 'click', A)], 1);
  h.watermark(A + 10 * 60_000); // the action's last watermark: W − 10m = A
  h.push([trigger('u1', A)], 0);
  assert.deepEqual(h.outputValues().map((v) => v.volume), [1]);
  assert.equal(h.backend.table<Row>(h.host.id, 'buffers').get('u1')!.at !== undefined, true);
  h.watermark(A + 10 * 60_000 + 1); // now nothing not late can pair with it
  assert.equal(h.backend.table<Row>(h.host.id, 'buffers').get('u1')!.at, undefined);
});

void test('counts: volume, propensity and sum_sq per action, triggered users per group, one upsert row per changed row per batch', () => {
  const c = new Chain();
  c.triggers([trigger('u1', E + 1), trigger('u2', E + 2)]);
  c.watermark(E + 5);
  assert.deepEqual(c.counts.output().map((r) => r.kind), ['insert', 'update']);
  assert.deepEqual(c.counts.output()[1]!.value, {
    row_key: `exp_1|${E}|0|_|c`, experiment_id: 'exp_1', epoch_start: E, segment: 0, action: '_', group: 'c',
    volume: null, propensity: null, triggered: 2, sum_sq: null, watermark_ms: null,
  });
  const out = c.actions([action('u1', 'click', E + 10), action('u1', 'click', E + 11), action('u2', 'click', E + 12), action('u1', 'click', E + 13), action('u2', 'save', E + 14)]);
  assert.deepEqual(out.map((r) => [r.kind, r.time]), [['insert', E + 13], ['insert', E + 14]]);
  // u1 clicked 3 times, u2 once: volume 4, propensity 2, sum_sq 3² + 1² = 10.
  assert.deepEqual(out[0]!.value, {
    row_key: `exp_1|${E}|0|click|c`, experiment_id: 'exp_1', epoch_start: E, segment: 0, action: 'click', group: 'c',
    volume: 4, propensity: 2, triggered: null, sum_sq: 10, watermark_ms: E + 5,
  });
  assert.equal(out[1]!.value.row_key, `exp_1|${E}|0|save|c`);
  const next = c.actions([action('u2', 'click', E + 20)]);
  assert.deepEqual(next.map((r) => [r.kind, r.value.volume, r.value.propensity, r.value.sum_sq]), [['update', 5, 2, 9 + 4]]);
});

void test('groups are separate rows; late inputs within the allowance count, later ones go to the late output as join_late', () => {
  const c = new Chain();
  c.triggers([trigger('u1', E + 50, 'c'), trigger('u9', E + 50, 't')]);
  c.actions([action('u1', 'click', E + 100), action('u9', 'click', E + 100)]);
  c.watermark(E + 10 * 60_000 + 100);
  c.actions([action('u1', 'click', E + 100), action('u1', 'click', E + 99)]);
  assert.deepEqual(c.users.late().map((r) => [r.reason, r.event_time]), [['join_late', E + 99]]);
  const rows = c.counts.outputValues().filter((v) => v.group === 'c' && v.action === 'click');
  assert.deepEqual(rows.map((v) => [v.volume, v.sum_sq]), [[1, 1], [2, 4]]);
  assert.equal(c.counts.outputValues().filter((v) => v.group === 't' && v.action === 'click').length, 1);
});

void test('an action without a string action is dead-lettered', () => {
  const h = OperatorTestHarness.for(keyedProcessPlugin, userConfig, { inputs: [appendInput, appendInput] });
  h.push([{ value: { user_id: 'u1', action: 7, ts: E }, time: E }], 1);
  assert.match(String(h.deadLetters()[0]!.error), /string `action`/);
});

void test('buffers are freed by the watermark as the join frees them, and survive a snapshot before it', async () => {
  const c = new Chain();
  c.triggers([trigger('u1', E + 10)]);
  c.actions([action('u1', 'click', E + EPOCH_MS - 1)]);
  const users = c.users.backend.table<Row>(c.users.host.id, 'buffers');
  assert.equal(users.size, 1);
  const r = new Chain();
  await r.users.restore(await c.users.snapshot());
  await r.counts.restore(await c.counts.snapshot());
  // The action is kept until W > its ts + 10m, the trigger until W > ts + 3d + 10m.
  c.watermark(E + EPOCH_MS - 1 + 10 * 60_000 + 1);
  assert.deepEqual([(users.get('u1') as Row).at, (users.get('u1') as Row).tt], [undefined, [E + 10]]);
  c.watermark(E + 10 + EPOCH_MS + 10 * 60_000 + 1);
  assert.equal(users.size, 0);
  assert.equal(c.counts.backend.table(c.counts.host.id, 'counts').size, 0);
  const out = r.actions([action('u1', 'click', E + EPOCH_MS - 2)]);
  assert.deepEqual(out.map((v) => [v.kind, v.value.volume, v.value.propensity, v.value.sum_sq]), [['update', 2, 1, 4]]);
});
