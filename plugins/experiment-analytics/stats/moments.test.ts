import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addMoments, emptyMoments, meanVolume, perUserVariance, propensity, propensityVariance,
  recordAction, recordTrigger, retractAction, varianceNumerator,
} from './moments.ts';
import type { GroupMoments } from './moments.ts';
import { mulberry32 } from './mulberry32.ts';

/** Statistics computed directly from the per-user counts. */
function direct(counts: number[]): GroupMoments {
  return {
    n: counts.length,
    s1: counts.reduce((s, c) => s + c, 0),
    s2: counts.reduce((s, c) => s + c * c, 0),
    k: counts.filter((c) => c >= 1).length,
  };
}

function naiveVariance(counts: number[]): number {
  const mean = counts.reduce((s, c) => s + c, 0) / counts.length;
  return counts.reduce((s, c) => s + (c - mean) ** 2, 0) / (counts.length - 1);
}

void test('incremental updates equal the statistics computed from per-user counts', () => {
  const random = mulberry32(7);
  const counts = new Array<number>(500).fill(0);
  const moments = emptyMoments();
  for (let i = 0; i < counts.length; i++) recordTrigger(moments);
  for (let step = 0; step < 5000; step++) {
    const user = Math.floor(random() * random() * counts.length); // skewed towards low ids
    recordAction(moments, counts[user]);
    counts[user] += 1;
  }
  assert.deepEqual(moments, direct(counts));
  assert.equal(meanVolume(moments), 10);
  assert.equal(propensity(moments), moments.k / 500);
});

void test('retractAction undoes recordAction', () => {
  const moments = emptyMoments();
  recordTrigger(moments);
  recordAction(moments, 0);
  recordAction(moments, 1);
  retractAction(moments, 2);
  assert.deepEqual(moments, direct([1]));
  retractAction(moments, 1);
  assert.deepEqual(moments, direct([0]));
});

void test('addMoments sums cells (epoch totals over segments)', () => {
  assert.deepEqual(addMoments(direct([0, 2, 5]), direct([1, 1])), direct([0, 2, 5, 1, 1]));
});

void test('exact variance equals the two-pass computation on small numbers', () => {
  for (const counts of [[0, 1], [0, 0, 3], [1, 2, 3, 4, 5], [7, 0, 0, 0, 1, 12, 2]]) {
    const got = perUserVariance(direct(counts));
    assert.ok(Math.abs(got - naiveVariance(counts)) < 1e-12 * Math.max(1, got), `${counts}`);
  }
  assert.equal(perUserVariance(direct([4, 4, 4])), 0);
  assert.ok(Number.isNaN(perUserVariance(direct([3]))));
});

void test('exact variance where the double formula n·S2 − S1² fails (S1 ≈ 3e8)', () => {
  // 11 heavy users at 25,000,003 actions and one at 25,000,004: the numerator is exactly
  // n − 1 = 11, but n·S2 and S1² are ≈ 9e16 (ulp 16) and round to the same double.
  const base = 25_000_003;
  const moments: GroupMoments = { n: 12, s1: 12 * base + 1, s2: 11 * base * base + (base + 1) ** 2, k: 12 };
  assert.ok(moments.s1 > 3e8 && Number.isSafeInteger(moments.s2));
  assert.equal(moments.n * moments.s2 - moments.s1 * moments.s1, 0); // doubles: all lost
  assert.equal(varianceNumerator(moments), 11n);
  assert.equal(perUserVariance(moments), 1 / 12);

  // A realistic shape: 123,456,789 users with 3 actions except one with 4 (S1 ≈ 3.7e8).
  // Exact numerator n − 1, so s² = 1/n; the double formula is off in the 8th digit.
  const n = 123_456_789;
  const big: GroupMoments = { n, s1: 3 * n + 1, s2: 9 * n + 7, k: n };
  assert.notEqual(big.n * big.s2 - big.s1 * big.s1, n - 1);
  assert.equal(varianceNumerator(big), BigInt(n - 1));
  assert.ok(Math.abs(perUserVariance(big) * n - 1) < 1e-15);
});

void test('variance numerator clamps inconsistent input at zero; unsafe fields throw', () => {
  assert.equal(varianceNumerator({ n: 2, s1: 10, s2: 1, k: 1 }), 0n);
  assert.throws(() => perUserVariance({ n: 2, s1: 1.5, s2: 3, k: 1 }), RangeError);
  assert.throws(() => perUserVariance({ n: 3, s1: 1, s2: 2 ** 60, k: 1 }), RangeError);
});

void test('propensity q and q(1 − q)', () => {
  const moments = direct([0, 0, 1, 3]);
  assert.equal(propensity(moments), 0.5);
  assert.equal(propensityVariance(moments), 0.25);
  assert.ok(Number.isNaN(propensity(emptyMoments())));
});
