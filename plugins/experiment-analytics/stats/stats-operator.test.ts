import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APPEND_ONLY } from 'sluice/api';
import type { Row } from 'sluice/api';
import { OperatorTestHarness } from 'sluice/testing';
import { EPOCH_MS, countsRowKey } from '../model/index.ts';
import { alertId } from './alerts.ts';
import { experimentStatsPlugin } from './index.ts';

const L = 1_767_225_600_000;
const inputs = [{ changelog: { mode: 'upsert' as const, key: ['row_key'] }, allowedLateness: 600_000 }, { changelog: APPEND_ONLY, allowedLateness: 0 }];
const harness = (config: Row = {}) => OperatorTestHarness.for(experimentStatsPlugin, config, { inputs });

function meta(id = 'exp_1', ramps = [{ ts: L, weights: { control: 0.5, treatment: 0.5 } }], extra: Row = {}): { value: Row; time: number } {
  const last = ramps[ramps.length - 1]!;
  return {
    value: {
      event_id: `m-${id}-${ramps.length}`, experiment_id: id, groups: ['control', 'treatment'], control: 'control', weights: last.weights,
      alpha: 0.05, n_star: 2500, actions: { click: 'up_is_good', hide: 'down_is_good', impression: 'none' }, ramps,
      effective_from: last.ts, ts: last.ts - 3_600_000, ...extra,
    },
    time: last.ts - 3_600_000,
  };
}
const trig = (group: string, triggered: number, t = L + 1000, id = 'exp_1', segment = 0) => ({
  value: { row_key: countsRowKey(id, L, segment, '_', group), experiment_id: id, epoch_start: L, segment, action: '_', group, volume: null, propensity: null, triggered, sum_sq: null, watermark_ms: 0 },
  time: t,
});
const act = (action: string, group: string, volume: number, propensity: number, sum_sq: number, t = L + 2000, id = 'exp_1') => ({
  value: { row_key: countsRowKey(id, L, 0, action, group), experiment_id: id, epoch_start: L, segment: 0, action, group, volume, propensity, triggered: null, sum_sq, watermark_ms: 0 },
  time: t,
});
const byKey = (h: OperatorTestHarness) => new Map(h.output().map((r) => [r.value.row_key as string, r.value]));
/** Trigger rows growing one user at a time in each group, in the ratio cPerStep : tPerStep, from `from` steps on. */
function grow(cPerStep: number, tPerStep: number, steps: number, segment = 0, from = 1, t = L + 1000) {
  const rows = [];
  for (let i = from; i < from + steps; i++) rows.push(trig('control', cPerStep * i, t, 'exp_1', segment), trig('treatment', tPerStep * i, t, 'exp_1', segment));
  return rows;
}

void test('each update is a look: the trigger row reads the SRM test, an action row its (metric, treatment) tests', () => {
  const h = harness();
  h.push([meta()], 1);
  h.push([trig('control', 1), trig('treatment', 1), act('click', 'control', 1, 1, 1)]);
  const rows = h.output();
  assert.deepEqual(rows.map((r) => [r.value.row_key, r.kind]), [
    [`exp_1|${String(L).padStart(13, '0')}|0|_|srm|_`, 'insert'],
    [`exp_1|${String(L).padStart(13, '0')}|0|_|srm|_`, 'update'],
    [`exp_1|${String(L).padStart(13, '0')}|0|click|volume|treatment`, 'insert'],
    [`exp_1|${String(L).padStart(13, '0')}|0|click|propensity|treatment`, 'insert'],
  ]);
  const volume = rows[2]!.value;
  assert.equal(volume.gated, 'too_few_users');
  assert.deepEqual([volume.delta, volume.lift, volume.p_always_valid, volume.looks], [null, null, null, 1]);
  assert.equal(rows[1]!.value.looks, 2);
  assert.ok((rows[1]!.value.srm_p as number) <= 1);
  assert.equal(h.counter('looks'), 3);
});

void test('past the gate: the difference, lift and interval follow STATS.md with exact variance', () => {
  const h = harness();
  h.push([meta()], 1);
  // control: 400 users, 120 actions by 60 users, Σc² = 400; treatment: 400 users, 160 actions by 70 users, Σc² = 620.
  h.push([trig('control', 400), trig('treatment', 400), act('click', 'control', 120, 60, 400), act('click', 'treatment', 160, 70, 620)]);
  const row = byKey(h).get(`exp_1|${String(L).padStart(13, '0')}|0|click|volume|treatment`)!;
  const s2 = (n: number, s1: number, sq: number) => (n * sq - s1 * s1) / (n * (n - 1));
  const V = s2(400, 160, 620) / 400 + s2(400, 120, 400) / 400;
  const rStar = -2 * Math.log(0.05) + Math.log(1 - 2 * Math.log(0.05));
  const r = (rStar * (400 * 400) / 800) / (2500 / 2);
  const half = Math.sqrt((V * (1 + r)) / r * (Math.log1p(r) - 2 * Math.log(0.05)));
  assert.ok(Math.abs((row.delta as number) - 0.1) < 1e-12);
  assert.ok(Math.abs((row.hi as number) - (0.1 + half)) < 1e-12);
  assert.ok(Math.abs((row.lo as number) - (0.1 - half)) < 1e-12);
  assert.ok(Math.abs((row.lift as number) - (160 / 120 - 1)) < 1e-12);
  // The lift's interval: the log-ratio's, mapped back with expm1.
  const Vlog = s2(400, 160, 620) / (400 * 0.4 ** 2) + s2(400, 120, 400) / (400 * 0.3 ** 2);
  const halfLog = Math.sqrt((Vlog * (1 + r)) / r * (Math.log1p(r) - 2 * Math.log(0.05)));
  assert.ok(Math.abs((row.lift_lo as number) - Math.expm1(Math.log(160 / 120) - halfLog)) < 1e-12);
  assert.ok(Math.abs((row.lift_hi as number) - Math.expm1(Math.log(160 / 120) + halfLog)) < 1e-12);
  assert.equal(row.gated, null);
  const z = 0.1 / Math.sqrt(V);
  const logLambda = -0.5 * Math.log1p(r) + (r / (1 + r)) * z * z / 2;
  assert.ok(Math.abs((row.p_always_valid as number) - Math.min(1, Math.exp(-Math.max(0, logLambda)))) < 1e-12);
  const prop = byKey(h).get(`exp_1|${String(L).padStart(13, '0')}|0|click|propensity|treatment`)!;
  assert.ok(Math.abs((prop.delta as number) - (70 / 400 - 60 / 400)) < 1e-12);
});

void test('a harm alert fires once, in the bad direction only, at α/m, with a deterministic id', () => {
  const h = harness();
  h.push([meta()], 1);
  h.push([trig('control', 2000), trig('treatment', 2000)]);
  h.push([act('click', 'control', 400, 400, 400), act('click', 'treatment', 100, 100, 100)]); // click is up_is_good: harm
  h.push([act('click', 'treatment', 101, 101, 101), act('impression', 'treatment', 100, 100, 100), act('impression', 'control', 400, 400, 400)]);
  const alerts = h.namedOutput('alerts').map((a) => a.value);
  assert.equal(alerts.filter((a) => a.kind === 'srm').length, 1); // the first look, 2000 against 0, is an imbalance
  assert.deepEqual(alerts.filter((a) => a.kind === 'harm').map((a) => [a.kind, a.action, a.metric, a.direction]), [
    ['harm', 'click', 'volume', 'up_is_good'],
    ['harm', 'click', 'propensity', 'up_is_good'],
  ]);
  const a = alerts.find((x) => x.kind === 'harm')!;
  assert.equal(a.alert_id, alertId('harm', { experimentId: 'exp_1', epochStartMs: L, segment: 0, action: 'click', metric: 'volume', treatment: 'treatment' }));
  assert.equal(a.threshold, 0.05 / (2 * 2 * 1)); // two actions with a direction × two metrics × one treatment
  assert.ok((a.hi as number) < 0);
  assert.equal(a.ts, L + 2000);
});

void test('an SRM alert fires once when triggered users stray from the segment\'s planned weights', () => {
  const h = harness();
  const ramps = [{ ts: L, weights: { control: 0.5, treatment: 0.5 } }, { ts: L + 86_400_000, weights: { control: 0.8, treatment: 0.2 } }];
  h.push([meta('exp_1', ramps)], 1);
  // Segment 1 plans 80/20; 4000/1000 is on plan, 2500/2500 is not.
  h.push(grow(4, 1, 1000, 1));
  assert.equal(h.namedOutput('alerts').length, 0);
  assert.ok((byKey(h).get(`exp_1|${String(L).padStart(13, '0')}|1|_|srm|_`)!.srm_p as number) > 0.05);
  h.push(grow(4, 4, 300, 1, 1001));
  const alerts = h.namedOutput('alerts').map((a) => a.value);
  assert.deepEqual(alerts.map((a) => [a.kind, a.segment, a.metric]), [['srm', 1, 'srm']]);
  assert.equal(alerts[0]!.alert_id, alertId('srm', { experimentId: 'exp_1', epochStartMs: L, segment: 1 }));
});

void test('counts before their metadata wait in state, then are read in order; past max_wait they are dead-lettered', async () => {
  const h = harness({ metadata_max_wait: '10m' });
  h.push([trig('control', 1), trig('treatment', 1), trig('control', 1, L + 1000, 'exp_2')]);
  assert.equal(h.output().length, 0);
  const restored = await harness({ metadata_max_wait: '10m' }).restore(await h.snapshot());
  restored.push([meta()], 1);
  assert.deepEqual(restored.output().map((r) => [r.value.experiment_id, r.value.looks]), [['exp_1', 1], ['exp_1', 2]]);
  restored.watermark(L + 1000 + 600_000 - 1);
  assert.equal(restored.deadLetters().length, 0);
  restored.watermark(L + 1000 + 600_000);
  assert.deepEqual(restored.deadLetters().map((d) => d.reason), ['unknown_experiment']);
});

void test('state is cleared at the epoch end + allowed lateness; a later row is late', () => {
  const h = harness({ allowed_lateness: '10m' });
  h.push([meta()], 1);
  h.push([trig('control', 5), act('click', 'control', 1, 1, 1)]);
  assert.ok(h.stateStats().keys > 0);
  h.watermark(L + EPOCH_MS + 600_000 - 1);
  assert.ok(h.stateStats().keys > 0);
  h.watermark(L + EPOCH_MS + 600_000);
  assert.equal(h.stateStats().keys, 0);
  h.push([trig('control', 6, L + EPOCH_MS - 1)]);
  assert.deepEqual(h.late().map((l) => l.reason), ['epoch_closed']);
});

void test('bad counts rows and bad metadata are dead-lettered; the job goes on', () => {
  const h = harness();
  h.push([{ value: { experiment_id: 'exp_1' }, time: 0 }], 1);
  h.push([meta()], 1);
  h.push([{ value: { ...trig('control', 1).value, triggered: -1 }, time: L }, trig('control', 1)]);
  assert.deepEqual(h.deadLetters().map((d) => d.reason), ['invalid_metadata', 'invalid_counts']);
  assert.equal(h.output().length, 1);
});
