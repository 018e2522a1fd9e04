import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chiSquareSrm, initialSrmState, plannedProportions, srmLogBayesFactor, srmLook } from './srm.ts';
import { logMultivariateBeta } from './special.ts';
import { mulberry32 } from './mulberry32.ts';

function close(actual: number, expected: number, tolerance = 1e-13): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} ≠ ${expected}`);
}

void test('log BF by hand: X = (3, 1), p0 = (½, ½), c = 2', () => {
  // a = (1, 1): logB(4, 2) = log(3!·1!/5!) = log(1/20); logB(1, 1) = 0; −Σ X log p0 = log 16.
  close(srmLogBayesFactor([3, 1], [1, 1], 2), Math.log(16 / 20));
});

void test('log BF by hand: X = (2, 0, 1), p0 = (¼, ¼, ½), c = 4', () => {
  // a = (1, 1, 2): logB(3, 1, 3) = log(2·1·2/6!) = log(1/180); logB(1, 1, 2) = −log 3! ;
  // −Σ X log p0 = 2·log 4 + log 2 = log 32. So log BF = log(6·32/180) = log(16/15).
  close(srmLogBayesFactor([2, 0, 1], [1, 1, 2], 4), Math.log(16 / 15));
});

void test('paired computation agrees with the textbook form at large counts', () => {
  const counts = [1_000_437, 999_101, 500_233];
  const weights = [2, 2, 1];
  const p0 = plannedProportions(weights);
  const a = p0.map((p) => 10_000 * p);
  const textbook = logMultivariateBeta(a.map((ag, g) => ag + counts[g]!)) - logMultivariateBeta(a)
    - counts.reduce((sum, x, g) => sum + x * Math.log(p0[g]!), 0);
  close(srmLogBayesFactor(counts, weights), textbook, 1e-5);
});

void test('counts exactly at the planned ratio give evidence for H0 (log BF < 0, p stays 1)', () => {
  let state = initialSrmState();
  for (const n of [100, 1_000, 10_000, 1_000_000]) {
    const { state: next, look } = srmLook(state, [n, n], [50, 50]);
    assert.ok(look.logBayesFactor < 0, `n = ${n}: ${look.logBayesFactor}`);
    state = next;
  }
  assert.deepEqual(state, { pValue: 1, looks: 4 });
});

void test('p-value is a running minimum', () => {
  let state = initialSrmState();
  const seen: number[] = [];
  for (const counts of [[100, 100], [1400, 1000], [1800, 1800], [5000, 5000]]) {
    state = srmLook(state, counts, [1, 1]).state;
    seen.push(state.pValue);
  }
  assert.ok(seen[1]! < 0.01);
  assert.deepEqual(seen.slice(2), [seen[1], seen[1]]);
});

void test('one-shot chi-square: known value and degrees of freedom', () => {
  const result = chiSquareSrm([60, 40], [1, 1]);
  assert.equal(result.statistic, 4);
  assert.equal(result.degreesOfFreedom, 1);
  close(result.pValue, 0.04550026389635842, 1e-14); // erfc(√2)
  assert.deepEqual(chiSquareSrm([0, 0, 0], [1, 1, 1]), { statistic: 0, degreesOfFreedom: 2, pValue: 1 });
});

void test('bad input is rejected', () => {
  assert.throws(() => srmLogBayesFactor([1, 2], [1]), RangeError);
  assert.throws(() => srmLogBayesFactor([1, 2], [1, 0]), RangeError);
  assert.throws(() => srmLogBayesFactor([1, 2.5], [1, 1]), RangeError);
  assert.throws(() => srmLogBayesFactor([1, 2, 3], [1, 1]), RangeError);
});

/** Users assigned one by one with the true proportions; SRM looks every `every` users. */
function alarmRates(trueWeights: number[], plannedWeights: number[], users: number, every: number, runs: number, seed: number) {
  const random = mulberry32(seed);
  const cumulative = plannedProportions(trueWeights).map((_, g, p) => p.slice(0, g + 1).reduce((s, x) => s + x, 0));
  let sequential = 0, peekedChiSquare = 0;
  for (let run = 0; run < runs; run++) {
    const counts = trueWeights.map(() => 0);
    let state = initialSrmState();
    let chiAlarm = false;
    for (let user = 1; user <= users; user++) {
      const u = random();
      const group = cumulative.findIndex((c) => u < c);
      counts[group === -1 ? counts.length - 1 : group]! += 1;
      if (user % every !== 0) continue;
      state = srmLook(state, counts, plannedWeights).state;
      chiAlarm ||= chiSquareSrm(counts, plannedWeights).pValue <= 0.05;
    }
    if (state.pValue <= 0.05) sequential += 1;
    if (chiAlarm) peekedChiSquare += 1;
  }
  return { sequential: sequential / runs, peekedChiSquare: peekedChiSquare / runs };
}

void test('A/A: the sequential SRM test rarely alarms; chi-square peeked 200 times often does', (t) => {
  const balanced = alarmRates([1, 1], [1, 1], 20_000, 100, 200, 11);
  const threeWay = alarmRates([2, 1, 1], [2, 1, 1], 20_000, 100, 100, 12);
  t.diagnostic(`two groups: sequential ${balanced.sequential}, chi-square peeked ${balanced.peekedChiSquare}`);
  t.diagnostic(`three groups: sequential ${threeWay.sequential}, chi-square peeked ${threeWay.peekedChiSquare}`);
  assert.ok(balanced.sequential <= 0.05 && threeWay.sequential <= 0.06);
  assert.ok(balanced.peekedChiSquare >= 0.2, 'the peeked chi-square should alarm well above α');
});

void test('a real mismatch is caught: 52/48 against a planned 50/50', (t) => {
  const mismatch = alarmRates([52, 48], [1, 1], 20_000, 100, 50, 13);
  t.diagnostic(`52/48 over 20,000 users: sequential alarm rate ${mismatch.sequential}`);
  assert.ok(mismatch.sequential >= 0.9);
});
