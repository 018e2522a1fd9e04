// Monte-Carlo check of validity under continuous monitoring: A/A experiments of
// Bernoulli(0.05) users, a look after every 20 users per arm up to 5000 per arm (250
// looks). The always-valid propensity test must alarm in ≤ ~α of runs; naive repeated
// z-tests on the same looks (the positive control) must alarm far more often.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialMsprtState, msprtLook } from './msprt.ts';
import type { EffectScale, MsprtSettings } from './msprt.ts';
import type { GroupMoments } from './moments.ts';
import { mulberry32 } from './mulberry32.ts';

const EXPERIMENTS = 400;
const BASE_RATE = 0.05;
const USERS_PER_LOOK = 20;
const USERS_PER_ARM = 5000;
const SETTINGS: MsprtSettings = { alpha: 0.05, horizonPerArm: 2500 };
const Z_975 = 1.959963984540054;
const SEED = 20240611;

interface Rates { alwaysValid: number; alwaysValidRelative: number; naive: number; naiveGated: number }

function simulate(): Rates {
  const random = mulberry32(SEED);
  let alwaysValid = 0, alwaysValidRelative = 0, naive = 0, naiveGated = 0;
  for (let e = 0; e < EXPERIMENTS; e++) {
    const arms: GroupMoments[] = [{ n: 0, s1: 0, s2: 0, k: 0 }, { n: 0, s1: 0, s2: 0, k: 0 }];
    let absolute = initialMsprtState();
    let relative = initialMsprtState();
    let naiveAlarm = false, naiveGatedAlarm = false;
    for (let n = USERS_PER_LOOK; n <= USERS_PER_ARM; n += USERS_PER_LOOK) {
      for (const arm of arms) {
        for (let u = 0; u < USERS_PER_LOOK; u++) {
          arm.n += 1;
          if (random() < BASE_RATE) { arm.k += 1; arm.s1 += 1; arm.s2 += 1; }
        }
      }
      const [treatment, control] = arms as [GroupMoments, GroupMoments];
      const look = (state: typeof absolute, scale: EffectScale) =>
        msprtLook(state, treatment, control, { metric: 'propensity', scale }, SETTINGS);
      const abs = look(absolute, 'absolute');
      absolute = abs.state;
      relative = look(relative, 'relative').state;
      // Naive z-test on the same look, at every look where it can be computed.
      const qT = treatment.k / n, qC = control.k / n;
      const variance = (qT * (1 - qT) + qC * (1 - qC)) / n;
      const rejects = variance > 0 && Math.abs(qT - qC) / Math.sqrt(variance) > Z_975;
      naiveAlarm ||= rejects;
      naiveGatedAlarm ||= rejects && abs.look.status === 'computed';
    }
    if (absolute.pValue <= SETTINGS.alpha) alwaysValid += 1;
    if (relative.pValue <= SETTINGS.alpha) alwaysValidRelative += 1;
    if (naiveAlarm) naive += 1;
    if (naiveGatedAlarm) naiveGated += 1;
  }
  return {
    alwaysValid: alwaysValid / EXPERIMENTS, alwaysValidRelative: alwaysValidRelative / EXPERIMENTS,
    naive: naive / EXPERIMENTS, naiveGated: naiveGated / EXPERIMENTS,
  };
}

void test(`A/A: ${EXPERIMENTS} experiments, 250 looks each, Bernoulli(${BASE_RATE})`, (t) => {
  const rates = simulate();
  t.diagnostic(`always-valid propensity (absolute) alarm rate: ${rates.alwaysValid}`);
  t.diagnostic(`always-valid propensity (relative lift) alarm rate: ${rates.alwaysValidRelative}`);
  t.diagnostic(`naive repeated z-test alarm rate (all looks): ${rates.naive}`);
  t.diagnostic(`naive repeated z-test alarm rate (gated looks only): ${rates.naiveGated}`);
  // SE of a rate near 0.05 over 400 runs is ~0.011: 0.07 is α + ~2 SE.
  assert.ok(rates.alwaysValid <= 0.07, `always-valid alarm rate ${rates.alwaysValid}`);
  assert.ok(rates.alwaysValidRelative <= 0.07, `always-valid relative alarm rate ${rates.alwaysValidRelative}`);
  assert.ok(rates.naive >= 0.25, `naive alarm rate ${rates.naive}`);
});
