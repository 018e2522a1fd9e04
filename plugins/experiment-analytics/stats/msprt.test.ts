import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alwaysValidHalfWidth, estimateEffect, gateReason, initialMsprtState, logLikelihoodRatio,
  mixingRatio, msprtLook, msprtLookOfArms, optimalMixingRatio, prepareMsprtSettings, summarizeArm,
} from './msprt.ts';
import { mulberry32 } from './mulberry32.ts';
import type { ArmSummary, MsprtSettings } from './msprt.ts';
import type { GroupMoments } from './moments.ts';

const SETTINGS: MsprtSettings = { alpha: 0.05, horizonPerArm: 2500 };
const Z_975 = 1.959963984540054;

function close(actual: number, expected: number, relative = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected), `${actual} ≠ ${expected}`);
}

/** A propensity-only cell: n users, k of them with exactly one action. */
function bernoulliCell(n: number, k: number): GroupMoments {
  return { n, s1: k, s2: k, k };
}

function arm(n: number, mean: number, variance: number, successes = n / 2): ArmSummary {
  return { n, mean, variance, successes, failures: n - successes };
}

void test('r* ≈ 7.94 at α = 0.05', () => {
  close(optimalMixingRatio(0.05), 7.936154601737565);
});

void test('log Λ by hand: z = 2, r = 3 gives −½·log 4 + (3/4)·4/2', () => {
  close(logLikelihoodRatio(2, 3), 1.5 - Math.log(2));
  assert.equal(logLikelihoodRatio(0, 5), -0.5 * Math.log(6));
});

void test('a propensity look matches an independent computation', () => {
  // q_T = 0.14, q_C = 0.10, 1000 users each; values computed separately in Python.
  const { state, look } = msprtLook(
    initialMsprtState(), bernoulliCell(1000, 140), bernoulliCell(1000, 100),
    { metric: 'propensity', scale: 'absolute' }, SETTINGS,
  );
  assert.equal(look.status, 'computed');
  if (look.status !== 'computed') return;
  close(look.delta, 0.04);
  close(look.variance, 0.0002104);
  close(look.z, 2.7576371656986685);
  close(look.r, 3.174461840695026); // r* · n_eff / (N*/2) = r* · 500 / 1250
  close(look.logLikelihoodRatio, 2.17694515955692);
  close(look.pValue, 0.11338738247212048);
  close(look.lo, -0.00531095142653832, 1e-10);
  close(look.hi, 0.08531095142653833);
  assert.deepEqual(state, { pValue: look.pValue, looks: 1 });
});

void test('relative lift: tested on the log-ratio, with the delta-method variance of each log-mean', () => {
  const effect = estimateEffect(arm(1000, 2.2, 9), arm(1000, 2, 8), 'relative');
  assert.ok(!('notComputable' in effect));
  close(effect.delta, Math.log(1.1));
  close(effect.variance, 9 / (1000 * 2.2 ** 2) + 8 / (1000 * 2 ** 2)); // 0.003859504…
  // Not the variance of the ratio itself (s_T²/(n_T x̄_C²) + x̄_T² s_C²/(n_C x̄_C⁴) = 0.00467).
  assert.ok(Math.abs(effect.variance - 0.00467) > 1e-4);
});

void test('a relative look: lift x̄_T/x̄_C − 1, interval expm1 of the log-scale one, symmetric in the arms', () => {
  // Volume: treatment 1000 users, S1 = 2600, S2 = 16000; control 1000 users, S1 = 2000, S2 = 11000.
  const treatment: GroupMoments = { n: 1000, s1: 2600, s2: 16000, k: 400 };
  const control: GroupMoments = { n: 1000, s1: 2000, s2: 11000, k: 380 };
  const test = { metric: 'volume', scale: 'relative' } as const;
  const { look } = msprtLook(initialMsprtState(), treatment, control, test, SETTINGS);
  assert.equal(look.status, 'computed');
  if (look.status !== 'computed') return;
  const s2 = (m: GroupMoments) => (m.n * m.s2 - m.s1 * m.s1) / (m.n * (m.n - 1));
  const theta = Math.log(2.6 / 2);
  const V = s2(treatment) / (1000 * 2.6 ** 2) + s2(control) / (1000 * 2 ** 2);
  const r = (optimalMixingRatio(0.05) * 500) / 1250;
  const half = Math.sqrt(((V * (1 + r)) / r) * (Math.log1p(r) - 2 * Math.log(0.05)));
  close(look.delta, 0.3);
  close(look.variance, V);
  close(look.z, theta / Math.sqrt(V));
  close(look.lo, Math.expm1(theta - half));
  close(look.hi, Math.expm1(theta + half));
  assert.ok(look.hi - look.delta > look.delta - look.lo, 'the lift interval is skewed upwards');
  close(look.pValue, Math.min(1, Math.exp(-Math.max(0, logLikelihoodRatio(theta / Math.sqrt(V), r)))));
  // Swapping the arms inverts the ratio: the same p-value, the interval mapped by 1/(1 + x) − 1.
  const swapped = msprtLook(initialMsprtState(), control, treatment, test, SETTINGS).look;
  assert.equal(swapped.status, 'computed');
  if (swapped.status !== 'computed') return;
  close(swapped.pValue, look.pValue);
  close(swapped.z, -look.z);
  close(swapped.lo, 1 / (1 + look.hi) - 1);
  close(swapped.hi, 1 / (1 + look.lo) - 1);
});

void test('interval at N* users per arm is ≈ 1.55× the fixed-horizon 95% interval', () => {
  const r = mixingRatio(2500, 2500, SETTINGS);
  close(r, optimalMixingRatio(0.05));
  const ratio = alwaysValidHalfWidth(1, r, 0.05) / Z_975;
  assert.ok(ratio > 1.54 && ratio < 1.56, `ratio ${ratio}`);
});

void test('the interval excludes 0 exactly when log Λ > −log α', () => {
  const r = 2.5;
  for (const z of [0.5, 1.9, 2.6, 2.9, 3.5, 8]) {
    const excludes = z > alwaysValidHalfWidth(1, r, 0.05); // V = 1, Δ = z
    assert.equal(excludes, logLikelihoodRatio(z, r) > -Math.log(0.05), `z = ${z}`);
  }
});

void test('p-value starts at 1 and never increases; gated looks leave the state alone', () => {
  let state = initialMsprtState();
  assert.equal(state.pValue, 1);
  const treatment = bernoulliCell(0, 0);
  const control = bernoulliCell(0, 0);
  let previous = 1;
  for (let step = 1; step <= 60; step++) {
    treatment.n += 50; control.n += 50;
    // Treatment ahead early, then back to even: p must keep its minimum.
    treatment.k += step < 30 ? 8 : 2; treatment.s1 = treatment.s2 = treatment.k;
    control.k += 5; control.s1 = control.s2 = control.k;
    const before = state;
    const next = msprtLook(state, treatment, control, { metric: 'propensity', scale: 'absolute' }, SETTINGS);
    if (next.look.status !== 'computed') assert.equal(next.state, before);
    state = next.state;
    assert.ok(state.pValue <= previous);
    previous = state.pValue;
  }
  assert.ok(state.pValue < 0.05, `an early large lift should have been detected, p = ${state.pValue}`);
});

void test('minimum-sample gate', () => {
  const many = arm(1000, 0.5, 0.25, 500);
  assert.equal(gateReason(arm(99, 2, 4), many, 'volume', 'absolute'), 'too_few_users');
  assert.equal(gateReason(many, arm(99, 2, 4), 'propensity', 'relative'), 'too_few_users');
  assert.equal(gateReason(arm(1000, 0.1, 1, 10), many, 'volume', 'absolute'), null);
  assert.equal(gateReason(arm(1000, 0.1, 1, 24), many, 'volume', 'relative'), 'too_few_successes');
  assert.equal(gateReason(arm(1000, 0.02, 0.02, 24), many, 'propensity', 'absolute'), 'too_few_successes');
  assert.equal(gateReason(many, arm(1000, 0.98, 0.02, 980), 'propensity', 'relative'), 'too_few_failures');
  assert.equal(gateReason(arm(100, 0.25, 0.19, 25), arm(100, 0.75, 0.19, 75), 'propensity', 'absolute'), null);
  const { state, look } = msprtLook(initialMsprtState(), bernoulliCell(500, 20), bernoulliCell(500, 30),
    { metric: 'propensity', scale: 'absolute' }, SETTINGS);
  assert.deepEqual(look, { status: 'gated', reason: 'too_few_successes' });
  assert.deepEqual(state, initialMsprtState());
});

void test('not computable: zero variance, q ∈ {0, 1}, zero control mean — never p = 0', () => {
  assert.deepEqual(estimateEffect(arm(500, 0, 0, 0), arm(500, 0.1, 0.09), 'absolute'), { notComputable: 'zero_variance' });
  assert.deepEqual(estimateEffect(arm(500, 0.1, 0.09), arm(500, 1, 0, 500), 'absolute'), { notComputable: 'zero_variance' });
  assert.deepEqual(estimateEffect(arm(500, 0.3, 1.2), arm(500, 0, 0.5), 'relative'), { notComputable: 'zero_control_mean' });
  assert.deepEqual(estimateEffect(arm(1, 1, Number.NaN), arm(500, 1, 1), 'absolute'), { notComputable: 'not_finite' });
  // Through a look: every user in both arms did exactly 2 actions.
  const constant: GroupMoments = { n: 300, s1: 600, s2: 1200, k: 300 };
  const { state, look } = msprtLook(initialMsprtState(), constant, { ...constant },
    { metric: 'volume', scale: 'absolute' }, SETTINGS);
  assert.deepEqual(look, { status: 'not_computable', reason: 'zero_variance' });
  assert.equal(state.pValue, 1);
});

void test('overwhelming evidence stays finite in log space', () => {
  const { look } = msprtLook(initialMsprtState(), bernoulliCell(1_000_000, 900_000), bernoulliCell(1_000_000, 100_000),
    { metric: 'propensity', scale: 'relative' }, SETTINGS);
  assert.equal(look.status, 'computed');
  if (look.status === 'computed') {
    assert.ok(Number.isFinite(look.logLikelihoodRatio) && look.logLikelihoodRatio > 1000);
    assert.equal(look.pValue, 0); // exp(−log Λ) underflows: a real rejection, not "not computable"
  }
});

void test('summarizeArm and settings validation', () => {
  const moments: GroupMoments = { n: 4, s1: 4, s2: 10, k: 2 }; // counts 0, 0, 1, 3
  assert.deepEqual(summarizeArm(moments, 'propensity'), { n: 4, successes: 2, failures: 2, mean: 0.5, variance: 0.25 });
  assert.deepEqual(summarizeArm(moments, 'volume'), { n: 4, successes: 2, failures: 2, mean: 1, variance: 2 });
  const cell = bernoulliCell(1000, 100);
  assert.throws(() => msprtLook(initialMsprtState(), cell, cell, { metric: 'volume', scale: 'absolute' },
    { alpha: 0, horizonPerArm: 2500 }), RangeError);
});

void test('the operator\'s path (arms summarised once, settings prepared) gives exactly msprtLook\'s values', () => {
  const random = mulberry32(7);
  const prepared = prepareMsprtSettings({ alpha: 0.01, horizonPerArm: 1000 });
  const settings = { alpha: 0.01, horizonPerArm: 1000 };
  for (let i = 0; i < 200; i++) {
    const cell = (): GroupMoments => {
      const n = 100 + Math.floor(random() * 5000);
      const k = Math.floor(random() * n * 0.3);
      const s1 = k + Math.floor(random() * k * 3);
      return { n, s1, s2: s1 + Math.floor(random() * s1 * 10), k };
    };
    const [t, c] = [cell(), cell()];
    const before = { pValue: random(), looks: i };
    for (const metric of ['volume', 'propensity'] as const) {
      for (const scale of ['absolute', 'relative'] as const) {
        assert.deepEqual(
          msprtLookOfArms(before, summarizeArm(t, metric), summarizeArm(c, metric), metric, scale, prepared),
          msprtLook(before, t, c, { metric, scale }, settings),
        );
      }
    }
  }
  assert.throws(() => prepareMsprtSettings({ alpha: 1, horizonPerArm: 10 }), RangeError);
});
