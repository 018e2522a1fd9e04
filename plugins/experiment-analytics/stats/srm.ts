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
  return new SrmPrior(weights, concentration).logBayesFactor(counts);
}

/**
 * The prior of one SRM test (planned weights and concentration), with its constant terms
 * computed once: a look then costs one log-gamma per group plus one, no allocation. The
 * operator keeps one per segment.
 */
export class SrmPrior {
  private readonly a: Float64Array;
  private readonly logP0: Float64Array;
  private readonly logGammaA: Float64Array;
  private readonly logGammaC: number;

  constructor(weights: readonly number[], readonly concentration = DEFAULT_SRM_CONCENTRATION) {
    const p0 = plannedProportions(weights);
    if (!(concentration > 0)) throw new RangeError('SRM concentration must be > 0');
    this.a = Float64Array.from(p0, (p) => concentration * p);
    this.logP0 = Float64Array.from(p0, (p) => Math.log(p));
    this.logGammaA = Float64Array.from(this.a, (a) => logGamma(a));
    this.logGammaC = logGamma(concentration);
  }

  get groups(): number {
    return this.a.length;
  }

  /** log BF of cumulative counts X (same order as the weights). */
  logBayesFactor(counts: readonly number[]): number {
    assertCounts(counts, this.a.length);
    let logBf = 0;
    let total = 0;
    for (let g = 0; g < this.a.length; g++) {
      const x = counts[g]!;
      logBf += logGamma(this.a[g]! + x) - this.logGammaA[g]! - x * this.logP0[g]!;
      total += x;
    }
    return logBf - (logGamma(this.concentration + total) - this.logGammaC);
  }
}

/** One look: p_t = min(p_{t−1}, exp(−log BF_t)). Pure; reject (alert) when p ≤ α. */
export function srmLook(
  state: SrmState, counts: readonly number[], weights: readonly number[] | SrmPrior,
  concentration = DEFAULT_SRM_CONCENTRATION,
): { state: SrmState; look: SrmLook } {
  const prior = weights instanceof SrmPrior ? weights : new SrmPrior(weights, concentration);
  const logBayesFactor = prior.logBayesFactor(counts);
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
