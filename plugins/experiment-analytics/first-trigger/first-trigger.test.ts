import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APPEND_ONLY } from 'sluice/api';
import { OperatorTestHarness, builtinOperator } from 'sluice/testing';
import { EPOCH_MS } from '../model/index.ts';
import { firstTrigger } from './index.ts';

const keyedProcessPlugin = await builtinOperator('keyed_process');

const H = 3_600_000;
const D = 24 * H;
const L = 1_000_000; // launch
/** Launch, a ramp one day in (segment 1), a re-ramp after the epoch (a new epoch at L + 4d). */
const meta = {
  experiment_id: 'e', groups: ['c', 't'], control: 'c', weights: { c: 0.5, t: 0.5 }, alpha: 0.05, n_star: 100,
  actions: { click: 'up_is_good' }, effective_from: L + 4 * D, ts: L,
  ramps: [{ ts: L, weights: { c: 0.9, t: 0.1 } }, { ts: L + D, weights: { c: 0.5, t: 0.5 } }, { ts: L + 4 * D, weights: { c: 0.5, t: 0.5 } }],
};
let n = 0;
const act = (user: string, ts: number, group = 'c') => ({
  value: { event_id: `a${++n}`, user_id: user, experiment_id: 'e', group, ts, metadata: meta }, time: ts, provenance: { source: 's', output: 'activations', offset: n },
});
const config = { function: firstTrigger, key: ['user_id', 'experiment_id'], allowed_lateness: '10m', options: { allowed_lateness: '10m' } };
const harness = () => OperatorTestHarness.for(keyedProcessPlugin, config, { inputs: [{ changelog: APPEND_ONLY, allowedLateness: 0 }] });
const triggers = (h: OperatorTestHarness) => h.outputValues().map((v) => `${String(v.user_id)}@${Number(v.ts) - L}:${String(v.group)}:${Number(v.epoch_start) - L}/${String(v.segment)}`);

void test('emits the earliest activation per user and epoch once the watermark passes it, with its segment', () => {
  const h = harness();
  h.push([act('u', L + 2 * H), act('u', L + H, 't'), act('v', L + D + H), act('u', L + 4 * D + H)]);
  h.watermark(L + H - 1);
  assert.deepEqual(triggers(h), []);
  h.watermark(L + H);
  assert.deepEqual(triggers(h), ['u@3600000:t:0/0']);
  h.watermark(L + 5 * D);
  assert.deepEqual(triggers(h), ['u@3600000:t:0/0', `v@${D + H}:c:0/1`, `u@${4 * D + H}:c:${4 * D}/0`]);
  const first = h.outputValues()[0]!;
  assert.deepEqual(
    { ...first, actions: undefined },
    { event_id: 'a2', user_id: 'u', experiment_id: 'e', group: 't', epoch_start: L, epoch_end: L + EPOCH_MS, segment: 0, ts: L + H, actions: undefined },
  );
  assert.deepEqual(first.actions, { click: 'up_is_good' });
  assert.deepEqual(h.output()[0]!.provenance, { source: 's', output: 'activations', offset: 2 });
  // u's first activation (group c) conflicts with the final first trigger (group t).
  assert.equal(h.counter('group_conflicts'), 1);
});

void test('ties keep the first arrival; later activations of another group conflict; earlier ones are superseded', () => {
  const h = harness();
  h.push([act('u', L + H, 'c'), act('u', L + H, 't')]);
  h.watermark(L + H + 60_000);
  assert.deepEqual(triggers(h), ['u@3600000:c:0/0']);
  assert.equal(h.counter('group_conflicts'), 1);
  h.push([act('u', L + 2 * H, 't'), act('u', L + 2 * H, 'c'), act('u', L + H - 1, 'c'), act('u', L - 20 * 60_000, 'c')]);
  assert.equal(h.counter('group_conflicts'), 2);
  assert.deepEqual(h.late().map((r) => r.reason), ['trigger_superseded', 'process_late']);
  assert.equal(h.outputValues().length, 1);
});

void test('activations outside every epoch are untracked; state is dropped after epoch end + allowed lateness', async () => {
  const h = harness();
  h.push([act('u', L - 1), act('u', L + 3 * D + H), act('u', L + H)]); // before launch; in the gap after the first epoch
  assert.equal(h.counter('untracked_triggers'), 2);
  h.watermark(L + EPOCH_MS + 10 * 60_000 - 1);
  assert.equal(h.outputValues().length, 1);
  const slots = h.backend.table(h.host.id, 'slots');
  assert.equal(slots.size, 1);
  const r = await harness().restore(await h.snapshot());
  h.watermark(L + EPOCH_MS + 10 * 60_000);
  assert.equal(slots.size, 0);
  // Restored before the cleanup, the slot is still there and is dropped at the same watermark.
  r.watermark(L + EPOCH_MS + 10 * 60_000);
  assert.equal(r.backend.table(r.host.id, 'slots').size, 0);
  r.push([act('u', L + 4 * D + 1, 't')]);
  r.watermark(L + 5 * D);
  assert.deepEqual(triggers(r), [`u@${4 * D + 1}:t:${4 * D}/0`]);
});

void test('an activation without metadata is dead-lettered', () => {
  const h = harness();
  h.push([{ value: { event_id: 'x', user_id: 'u', experiment_id: 'e', group: 'c', ts: L }, time: L }]);
  assert.match(String(h.deadLetters()[0]!.error), /without 'metadata'/);
});
