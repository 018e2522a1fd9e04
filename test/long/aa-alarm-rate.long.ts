// The A/A proof of STATS.md "How to show it works": 1000 one-treatment A/A experiments side
// by side in ONE pipeline run (aa_counts → experiment_stats on the real engine), every
// counts update read. Each uncorrected two-sided test — (experiment, action, metric,
// scale) at α = 0.05 — must alarm (its always-valid interval excluding 0 at any look) in
// at most α + 2·SE of experiments, and so must the sequential SRM test; naive fixed-horizon
// z-tests at the same looks must alarm in ≥ 25% (the positive control). The generator's
// parameters and seed were fixed before looking at results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alarmSe, runAa } from './aa-run.ts';

const ALPHA = 0.05;
const EXPERIMENTS = 1000;
/** Fixed before the first run. */
const GENERATOR = {
  seed: 20261127, experiments: EXPERIMENTS, users: 10_000, min_rate: 0.01, max_rate: 0.05, zipf_s: 1.5, cap: 50, mean_delay: 500,
  tick_ms: 1000, lift: 0, srm_loss: 0, alpha: ALPHA, n_star: 2500,
};

void test('A/A: always-valid alarm rates stay ≤ α + 2·SE at every-update looks; naive z-tests do not', async (t) => {
  const f = await runAa('aa_alarm_rate', GENERATOR);
  const bound = ALPHA + 2 * alarmSe(ALPHA, EXPERIMENTS);
  t.diagnostic(`run: ${f.seconds.toFixed(1)} s for ${f.experiments} experiments; looks per experiment median ${f.looksPerExperiment.median} (min ${f.looksPerExperiment.min}); ` +
    `per test: ${f.looksPerTest.reads} looks read, ${f.looksPerTest.computed} past the gate (medians)`);
  for (const [name, x] of Object.entries(f.tests)) {
    t.diagnostic(`${name}: always-valid ${(100 * x.alarmRate).toFixed(1)}% (bound ${(100 * bound).toFixed(2)}%), naive ${(100 * x.naiveRate).toFixed(1)}%, ` +
      `Bonferroni over 100 looks ${(100 * x.bonferroniInBudget).toFixed(1)}% within its budget, ${(100 * x.bonferroniAnyLook).toFixed(1)}% read on, ` +
      `tests ever past the gate ${(100 * x.computedShare).toFixed(1)}%`);
  }
  t.diagnostic(`srm: ${(100 * f.srm.alarmRate).toFixed(1)}% over a median of ${f.srm.medianReads} looks; alerts: ${f.alerts.harm} harm, ${f.alerts.srm} srm`);

  assert.equal(f.experiments, EXPERIMENTS);
  assert.equal(f.deadLetters, 0);
  assert.equal(f.late, 0);
  assert.ok(f.looksPerExperiment.median >= 500, `median looks per experiment ${f.looksPerExperiment.median}`);
  assert.ok(f.looksPerTest.reads >= 500, `median looks per test ${f.looksPerTest.reads}`);
  for (const [name, x] of Object.entries(f.tests)) {
    assert.ok(x.alarmRate <= bound, `${name}: alarm rate ${x.alarmRate} > ${bound}`);
    assert.ok(x.computedShare >= 0.9, `${name}: only ${x.computedShare} of the tests ever passed the gate`);
  }
  for (const name of ['volume/absolute', 'propensity/absolute', 'volume/relative', 'propensity/relative']) {
    assert.ok(f.tests[name]!.naiveRate >= 0.25, `${name}: naive alarm rate ${f.tests[name]!.naiveRate} < 0.25`);
  }
  assert.ok(f.srm.alarmRate <= bound, `srm alarm rate ${f.srm.alarmRate} > ${bound}`);
  // Alerts: harm at α/m in the bad direction only (≤ the two-sided rate), SRM at α; each fired once.
  assert.ok(f.alerts.harm <= Math.ceil(bound * EXPERIMENTS * 2));
  assert.equal(f.alerts.srm, Math.round(f.srm.alarmRate * EXPERIMENTS));
  assert.equal(f.alerts.distinctIds, f.alerts.harm + f.alerts.srm);
});
