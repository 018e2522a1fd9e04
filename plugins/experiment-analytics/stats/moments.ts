// Per-group sufficient statistics of one (experiment, epoch, segment, action, group) cell,
// as STATS.md "What the stream keeps" defines them, and the per-user moments derived from
// them. The increment functions run once per record, so they are plain number arithmetic
// that mutates in place; BigInt appears only when a variance is read.

/**
 * Sufficient statistics of one group for one action.
 *
 * - `n`: triggered users in the group (users with a first trigger, whether or not they acted);
 * - `s1`: volume, Σ c_i over those users (c_i = the user's action count);
 * - `s2`: Σ c_i²;
 * - `k`: propensity count, #{i : c_i ≥ 1}.
 *
 * All four are non-negative integers and must stay ≤ Number.MAX_SAFE_INTEGER (≈ 9.0e15);
 * `s2` is the first to get there, and with a per-user cap C it stays ≤ C·s1. Plain object,
 * safe to serialise as JSON.
 */
export interface GroupMoments {
  n: number;
  s1: number;
  s2: number;
  k: number;
}

/** A group nobody has been triggered into yet. */
export function emptyMoments(): GroupMoments {
  return { n: 0, s1: 0, s2: 0, k: 0 };
}

/** A user is newly triggered into the group (first trigger of the epoch): n += 1 only. */
export function recordTrigger(moments: GroupMoments): void {
  moments.n += 1;
}

/**
 * A triggered user's count for the action went from `previousCount` to `previousCount + 1`:
 * s1 += 1, s2 += 2c + 1, and k += 1 when c was 0. `previousCount` is the user's count before
 * this action, read from keyed state; the caller stores `previousCount + 1` back.
 */
export function recordAction(moments: GroupMoments, previousCount: number): void {
  moments.s1 += 1;
  moments.s2 += 2 * previousCount + 1;
  if (previousCount === 0) moments.k += 1;
}

/**
 * Undo of `recordAction` for a retraction (an upsert stream may take an action back): the
 * user's count went from `previousCount` to `previousCount − 1`, with previousCount ≥ 1.
 */
export function retractAction(moments: GroupMoments, previousCount: number): void {
  moments.s1 -= 1;
  moments.s2 -= 2 * previousCount - 1;
  if (previousCount === 1) moments.k -= 1;
}

/** Sum of two cells' statistics (e.g. an epoch total over its segments). Pure. */
export function addMoments(a: GroupMoments, b: GroupMoments): GroupMoments {
  return { n: a.n + b.n, s1: a.s1 + b.s1, s2: a.s2 + b.s2, k: a.k + b.k };
}

/** Per-user mean volume S1/n; NaN when n = 0. */
export function meanVolume(moments: GroupMoments): number {
  return moments.n > 0 ? moments.s1 / moments.n : Number.NaN;
}

/**
 * The exact numerator n·S2 − S1² of the per-user variance, in BigInt, clamped at zero.
 * (It is ≥ 0 for consistent statistics by Cauchy–Schwarz; the clamp guards inconsistent
 * input.) In doubles this difference loses precision once S1 passes ~1e8, because both
 * products exceed 2^53 and their difference can be far smaller than either.
 */
export function varianceNumerator(moments: GroupMoments): bigint {
  assertSafeCounts(moments);
  const numerator = BigInt(moments.n) * BigInt(moments.s2) - BigInt(moments.s1) ** 2n;
  return numerator > 0n ? numerator : 0n;
}

/**
 * `Number(varianceNumerator(m))` without BigInt while both products are below 2^53: integer
 * products that small are exact in doubles, and so is their difference. The hot path of
 * the operator takes this branch until S1 passes ~9.5e7.
 */
function varianceNumeratorAsNumber(moments: GroupMoments): number {
  const { n, s1, s2 } = moments;
  const a = n * s2;
  const b = s1 * s1;
  if (a <= Number.MAX_SAFE_INTEGER && b <= Number.MAX_SAFE_INTEGER) {
    assertSafeCounts(moments);
    return a > b ? a - b : 0;
  }
  return Number(varianceNumerator(moments));
}

/**
 * Unbiased per-user variance of the action count, s² = (n·S2 − S1²) / (n(n−1)), with the
 * numerator exact (BigInt) and one correctly rounded conversion to double, so the relative
 * error is a few ulps however large S1 grows. NaN when n < 2. Throws RangeError when a
 * field is not a non-negative safe integer.
 */
export function perUserVariance(moments: GroupMoments): number {
  if (moments.n < 2) {
    assertSafeCounts(moments);
    return Number.NaN;
  }
  const n = moments.n;
  return varianceNumeratorAsNumber(moments) / n / (n - 1);
}

/** Propensity q = K/n, the share of triggered users with at least one action; NaN when n = 0. */
export function propensity(moments: GroupMoments): number {
  return moments.n > 0 ? moments.k / moments.n : Number.NaN;
}

/** Per-user variance of the propensity indicator, q(1−q) (as STATS.md states it). */
export function propensityVariance(moments: GroupMoments): number {
  const q = propensity(moments);
  return q * (1 - q);
}

const isCount = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

function assertSafeCounts(moments: GroupMoments): void {
  if (isCount(moments.n) && isCount(moments.s1) && isCount(moments.s2) && isCount(moments.k)) return;
  for (const field of ['n', 's1', 's2', 'k'] as const) {
    const value = moments[field];
    if (!isCount(value)) {
      throw new RangeError(`moments.${field} must be a non-negative safe integer, got ${value}`);
    }
  }
}
