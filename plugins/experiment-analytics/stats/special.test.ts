import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logGamma, logMultivariateBeta, regularizedGammaQ } from './special.ts';

// Reference values: mpmath.loggamma at 50 significant digits, rounded to double.
const LOG_GAMMA_REFERENCE: [x: number, logGamma: number][] = [
  [1e-8, 18.420680738180208905],
  [0.1, 2.2527126517342059599],
  [0.5, 0.57236494292470008707], // log √π
  [1, 0],
  [1.5, -0.12078223763524522235],
  [2, 0],
  [2.5, 0.28468287047291915963],
  [3, 0.69314718055994530942], // log 2
  [7.3, 7.1478925230222490328],
  [9.999, 12.799575780077412467],
  [10, 12.801827480081469611], // log 9!
  [12.5, 18.734347511936445702],
  [100, 359.13420536957539878],
  [1000.25, 5906.9472682711171770],
  [123456.789, 1323902.0187950631238],
  [1e9, 19723265827.503716771],
  [3e9, 62465634366.851562013],
  [1e15, 33538776394910668.910],
];

void test('logGamma matches 50-digit reference values (abs ≤ 5e-15 below 10, rel ≤ 1e-15 above)', () => {
  for (const [x, expected] of LOG_GAMMA_REFERENCE) {
    const error = Math.abs(logGamma(x) - expected);
    const bound = x < 10 ? 5e-15 : 1e-15 * Math.abs(expected);
    assert.ok(error <= bound, `logGamma(${x}) = ${logGamma(x)}, expected ${expected}`);
  }
});

void test('logGamma satisfies the recurrence log Γ(x+1) = log Γ(x) + log x', () => {
  for (const x of [0.3, 4.7, 9.5, 10.5, 57.25, 1e4 + 0.5]) {
    const gap = logGamma(x + 1) - logGamma(x) - Math.log(x);
    assert.ok(Math.abs(gap) < 1e-13 * Math.max(1, logGamma(x + 1)), `x = ${x}: ${gap}`);
  }
});

void test('logGamma rejects x ≤ 0', () => {
  assert.throws(() => logGamma(0), RangeError);
  assert.throws(() => logGamma(-1.5), RangeError);
  assert.throws(() => logGamma(Number.NaN), RangeError);
});

void test('logMultivariateBeta: B(1, 1) = 1, B(2, 3) = 1/12', () => {
  assert.ok(Math.abs(logMultivariateBeta([1, 1])) < 1e-15);
  assert.ok(Math.abs(logMultivariateBeta([2, 3]) - Math.log(1 / 12)) < 1e-14);
});

void test('regularizedGammaQ gives chi-square tail probabilities', () => {
  // 95% quantiles of chi-square with 1, 3, 10 degrees of freedom: Q(df/2, x/2) = 0.05.
  for (const [df, x] of [[1, 3.841458820694124], [3, 7.814727903251178], [10, 18.307038053275146]] as const) {
    assert.ok(Math.abs(regularizedGammaQ(df / 2, x / 2) - 0.05) < 1e-13, `df = ${df}`);
  }
  // df = 2: Q(1, x/2) = exp(−x/2) exactly.
  for (const x of [0.1, 1, 5, 40]) {
    const q = regularizedGammaQ(1, x / 2);
    assert.ok(Math.abs(q / Math.exp(-x / 2) - 1) < 1e-13, `x = ${x}`);
  }
  assert.ok(Math.abs(regularizedGammaQ(0.5, 50) / 1.523970604832105213e-23 - 1) < 1e-12);
  assert.ok(Math.abs(regularizedGammaQ(2.5, 0.3) - 0.98800324279409373450) < 1e-14);
  assert.equal(regularizedGammaQ(3, 0), 1);
});
