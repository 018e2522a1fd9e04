// Sample ratio mismatch on triggered users: the sequential Dirichlet–multinomial test of
// Lindon & Malek (arXiv:2011.03567), which is the live check, and a one-shot chi-square
// for comparison. Counts are cumulative users per group, in the same order as the planned
// weights; each re-ramp (new epoch or segment) starts a new test with its own weights.
import { logGamma, regularizedGammaQ } from './special.ts';

/** Prior concentration c in a = c·p0 (Optimizely's default). */
export const DEFAULT_SRM_CONCENTRATION = 10_000;

/** The running state of one SRM test; plain and JSON-serialisable. The caller persists it. */
export interface SrmState {
  /** Sequential p-value: running minimum of exp(−log BF), 1 before any look. */
  pValue: number;
  looks: number;
}

export interface SrmLook {
  logBayesFactor: number;
  /** The running-minimum p-value after this look. */
  pValue: number;
}

export function initialSrmState(): SrmState {
  return { pValue: 1, looks: 0 };
}

/** Planned weights normalised to proportions p0 (they need not sum to 1). */
export function plannedProportions(weights: readonly number[]): number[] {
  if (weights.length < 2) throw new RangeError('SRM needs at least two groups');
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (!weights.every((w) => w > 0 && Number.isFinite(w))) {
    throw new RangeError('SRM weights must be positive and finite');
  }
  return weights.map((w) => w / total);
}

function assertCounts(counts: readonly number[], groups: number): void {
  if (counts.length !== groups) throw new RangeError(`SRM: ${counts.length} counts for ${groups} weights`);
  if (!counts.every((x) => Number.isSafeInteger(x) && x >= 0)) {
    throw new RangeError('SRM counts must be non-negative integers');
  }
}

/**
 * log BF = log B(a + X) − log B(a) − Σ X_g·log p0_g with a = c·p0: the Dirichlet–multinomial
 * marginal likelihood against the multinomial at p0. Summed per group as differences
 * [log Γ(a_g + X_g) − log Γ(a_g) − X_g log p0_g] to keep the large terms paired; the
 * absolute error is ~1e-16·N·log N (≈ 1e-6 at N = 1e8 users), negligible against the
 * thresholds (−log α ≈ 3).
 */
export function srmLogBayesFactor(
  counts: readonly number[], weights: readonly number[], concentration = DEFAULT_SRM_CONCENTRATION,
): number {
  const p0 = plannedProportions(weights);
  assertCounts(counts, p0.length);
  if (!(concentration > 0)) throw new RangeError('SRM concentration must be > 0');
  let logBf = 0;
  let total = 0;
  for (let g = 0; g < p0.length; g++) {
    const a = concentration * p0[g];
    const x = counts[g];
    logBf += logGamma(a + x) - logGamma(a) - x * Math.log(p0[g]);
    total += x;
  }
  return logBf - (logGamma(concentration + total) - logGamma(concentration));
}

/** One look: p_t = min(p_{t−1}, exp(−log BF_t)). Pure; reject (alert) when p ≤ α. */
export function srmLook(
  state: SrmState, counts: readonly number[], weights: readonly number[],
  concentration = DEFAULT_SRM_CONCENTRATION,
): { state: SrmState; look: SrmLook } {
  const logBayesFactor = srmLogBayesFactor(counts, weights, concentration);
  const pValue = Math.min(state.pValue, Math.exp(-Math.max(logBayesFactor, 0)));
  return { state: { pValue, looks: state.looks + 1 }, look: { logBayesFactor, pValue } };
}

/**
 * Pearson's chi-square of counts against planned weights, df = groups − 1. Valid for ONE
 * look only: it is not the live check (peeked at every update it alarms in a large share of
 * A/A runs). For comparison and one-off audits. p-value 1 when there are no users.
 */
export function chiSquareSrm(
  counts: readonly number[], weights: readonly number[],
): { statistic: number; degreesOfFreedom: number; pValue: number } {
  const p0 = plannedProportions(weights);
  assertCounts(counts, p0.length);
  const total = counts.reduce((sum, x) => sum + x, 0);
  const degreesOfFreedom = p0.length - 1;
  if (total === 0) return { statistic: 0, degreesOfFreedom, pValue: 1 };
  let statistic = 0;
  for (let g = 0; g < p0.length; g++) {
    const expected = total * p0[g];
    statistic += (counts[g] - expected) ** 2 / expected;
  }
  return { statistic, degreesOfFreedom, pValue: regularizedGammaQ(degreesOfFreedom / 2, statistic / 2) };
}
