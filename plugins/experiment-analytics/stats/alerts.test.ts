import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  alertId, bonferroniAlpha, canonicalAlertKey, checkHarmAlert, checkSrmAlert, emptyFiredAlerts,
} from './alerts.ts';
import type { Direction, FamilySize, HarmAlertKey } from './alerts.ts';
import type { MsprtLook } from './msprt.ts';
import { optimalMixingRatio } from './msprt.ts';

const KEY: HarmAlertKey = {
  experimentId: 'exp-42', epochStartMs: 1_700_000_000_000, segment: 0,
  action: 'save', metric: 'propensity', treatment: 'treatment_a',
};
const FAMILY: FamilySize = { actions: 5, metrics: 2, treatments: 2 }; // m = 20, α/m = 0.0025
const R = optimalMixingRatio(0.05);

/** A computed look with V = 1: the α = 0.05 half-width is ≈ 3.03, the α/20 one ≈ 4.00. */
function lookAt(delta: number): MsprtLook {
  return { status: 'computed', delta, variance: 1, z: delta, r: R, logLikelihoodRatio: 0, pValue: 1, lo: 0, hi: 0 };
}

function harm(fired = emptyFiredAlerts(), delta = -4.2, direction: Direction = 'up_is_good', key = KEY) {
  return checkHarmAlert(fired, { key, direction, look: lookAt(delta), alpha: 0.05, family: FAMILY });
}

void test('Bonferroni level α/m with m = actions × metrics × treatments', () => {
  assert.equal(bonferroniAlpha(0.05, FAMILY), 0.0025);
  assert.throws(() => bonferroniAlpha(0.05, { actions: 0, metrics: 2, treatments: 1 }), RangeError);
});

void test('fires in the bad direction only, at the α/m interval', () => {
  const { alert } = harm();
  assert.ok(alert);
  assert.equal(alert.direction, 'up_is_good');
  assert.equal(alert.level, 0.0025);
  assert.ok(alert.hi < 0 && alert.lo < alert.hi);
  assert.equal(harm(undefined, 4.2).alert, null); // up is good, and it went up
  assert.equal(harm(undefined, -3.5).alert, null); // excludes 0 at α = 0.05, not at α/m
  assert.ok(harm(undefined, 4.2, 'down_is_good').alert);
  assert.equal(harm(undefined, -4.2, 'down_is_good').alert, null);
  assert.equal(harm(undefined, -40, 'none').alert, null);
});

void test('gated and not-computable looks never alert', () => {
  for (const look of [{ status: 'gated', reason: 'too_few_users' }, { status: 'not_computable', reason: 'zero_variance' }] as const) {
    const result = checkHarmAlert(emptyFiredAlerts(), { key: KEY, direction: 'up_is_good', look, alpha: 0.05, family: FAMILY });
    assert.equal(result.alert, null);
  }
});

void test('fires once per identity, also after the state is serialised and restored', () => {
  const first = harm();
  assert.ok(first.alert);
  const restored = JSON.parse(JSON.stringify(first.fired)) as typeof first.fired;
  const again = harm(restored, -9);
  assert.equal(again.alert, null);
  assert.equal(again.fired, restored); // unchanged state is returned as is
  // Other identities are independent.
  assert.ok(harm(restored, -4.2, 'up_is_good', { ...KEY, segment: 1 }).alert);
  assert.ok(harm(restored, -4.2, 'up_is_good', { ...KEY, treatment: 'treatment_b' }).alert);
  assert.ok(harm(restored, -4.2, 'up_is_good', { ...KEY, epochStartMs: KEY.epochStartMs + 259_200_000 }).alert);
});

void test('alert ids are deterministic: sha1 of the canonical identity, stable across versions', () => {
  const canonical = canonicalAlertKey('harm', KEY);
  assert.equal(canonical, '["harm","exp-42","1700000000000","0","save","propensity","treatment_a"]');
  assert.equal(alertId('harm', KEY), createHash('sha1').update(canonical).digest('hex'));
  assert.equal(harm().alert?.id, harm().alert?.id);
  // Pinned so that a change of the canonical form (which would re-alert on replay) is seen.
  assert.equal(alertId('harm', KEY), '4094c2c7d167258175e533b302a674f1f3590294');
  assert.notEqual(alertId('srm', KEY), alertId('harm', KEY));
  // Fields cannot run into each other.
  assert.notEqual(
    alertId('harm', { ...KEY, action: 'a|b', metric: 'c' }),
    alertId('harm', { ...KEY, action: 'a', metric: 'b|c' }),
  );
});

void test('SRM alert fires once per (experiment, epoch, segment) when p ≤ α', () => {
  const key = { experimentId: 'exp-42', epochStartMs: 1_700_000_000_000, segment: 2 };
  assert.equal(checkSrmAlert(emptyFiredAlerts(), { key, pValue: 0.2, alpha: 0.05 }).alert, null);
  const first = checkSrmAlert(emptyFiredAlerts(), { key, pValue: 0.01, alpha: 0.05 });
  assert.ok(first.alert);
  assert.equal(first.alert.id, alertId('srm', key));
  assert.deepEqual(Object.values(first.fired.srm), [first.alert.id]);
  assert.equal(checkSrmAlert(first.fired, { key, pValue: 0.001, alpha: 0.05 }).alert, null);
  assert.ok(checkSrmAlert(first.fired, { key: { ...key, segment: 3 }, pValue: 0.001, alpha: 0.05 }).alert);
});
