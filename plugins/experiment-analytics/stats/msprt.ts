// The normal-mixture mSPRT of Johari, Pekelis & Walsh ("Always Valid Inference",
// arXiv:1512.04922) as STATS.md states it: treatment T against control C, per metric
// (per-user volume or propensity) and scale (absolute difference or relative lift).
// Everything is in log space; Λ itself is never formed.
import type { GroupMoments } from './moments.ts';
import { meanVolume, perUserVariance, propensity, propensityVariance } from './moments.ts';

export type Metric = 'volume' | 'propensity';
export type EffectScale = 'absolute' | 'relative';

/** Fixed before launch and never retuned on the data. */
export interface MsprtSettings {
  /** Two-sided level α of the p-value and interval, in (0, 1). */
  alpha: number;
  /** N*: users per arm where decisions are usually made (experiment metadata). */
  horizonPerArm: number;
}

export const DEFAULT_HORIZON_PER_ARM = 2500;
export const MIN_USERS_PER_ARM = 100;
/** For propensity and for relative lift: successes and failures needed in each arm. */
export const MIN_SUCCESSES_AND_FAILURES_PER_ARM = 25;

/**
 * One arm reduced to what the test needs. `successes` are users with at least one action
 * (K) and `failures` users without (n − K), for both metrics: for propensity these are the
 * Bernoulli outcomes; for volume they count the users carrying the mean, so a relative
 * lift is not read while the control mean rests on a handful of active users.
 */
export interface ArmSummary {
  n: number;
  mean: number;
  /** Per-user variance: s² for volume, q(1−q) for propensity. */
  variance: number;
  successes: number;
  failures: number;
}

export type GateReason = 'too_few_users' | 'too_few_successes' | 'too_few_failures';
export type NotComputableReason = 'zero_variance' | 'zero_control_mean' | 'not_finite';

export interface EffectEstimate {
  /**
   * Δ, on the scale the test runs on: x̄_T − x̄_C (absolute), or the log-ratio
   * log(x̄_T/x̄_C) (relative; the lift is x̄_T/x̄_C − 1 = expm1(Δ), zero exactly when Δ is).
   */
  delta: number;
  /** V, the estimated variance of Δ (delta method on the log scale for relative lift). */
  variance: number;
}

/** The running state of one test; plain and JSON-serialisable. The caller persists it. */
export interface MsprtState {
  /** Always-valid p-value: running minimum, 1 before any computed look. */
  pValue: number;
  /** Looks at which the statistic was computed (gated / not-computable looks excluded). */
  looks: number;
}

export type MsprtLook =
  | { status: 'gated'; reason: GateReason }
  | { status: 'not_computable'; reason: NotComputableReason }
  | {
      status: 'computed';
      /** Δ: x̄_T − x̄_C (absolute) or the lift x̄_T/x̄_C − 1 (relative). */
      delta: number;
      /** V and z = Δ/√V on the test's scale: for relative, of the log-ratio log(x̄_T/x̄_C). */
      variance: number;
      z: number;
      /** r_n, the mixing variance over V (τ²/V). */
      r: number;
      logLikelihoodRatio: number;
      /** The running-minimum p-value after this look (same as the returned state's). */
      pValue: number;
      /** The always-valid (1 − α) interval at this look (relative: of the lift, expm1 of the log-scale one). */
      lo: number;
      hi: number;
    };

/** Throws RangeError unless 0 < α < 1 and N* > 0: a misconfiguration, not a data problem. */
export function assertMsprtSettings(settings: MsprtSettings): void {
  if (!(settings.alpha > 0 && settings.alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${settings.alpha}`);
  if (!(settings.horizonPerArm > 0)) throw new RangeError(`horizonPerArm must be > 0, got ${settings.horizonPerArm}`);
}

export function initialMsprtState(): MsprtState {
  return { pValue: 1, looks: 0 };
}

export function summarizeArm(moments: GroupMoments, metric: Metric): ArmSummary {
  const { n, k } = moments;
  return metric === 'volume'
    ? { n, successes: k, failures: n - k, mean: meanVolume(moments), variance: perUserVariance(moments) }
    : { n, successes: k, failures: n - k, mean: propensity(moments), variance: propensityVariance(moments) };
}

/**
 * The settings with the constants every look needs computed once: r* and log α. The
 * operator keeps one per segment plan; `msprtLook` prepares them on each call.
 */
export interface PreparedMsprtSettings extends MsprtSettings {
  /** r* = optimalMixingRatio(α). */
  readonly optimalRatio: number;
  /** log α. */
  readonly logAlpha: number;
}

/** Validates the settings (RangeError, see `assertMsprtSettings`) and computes r* and log α once. */
export function prepareMsprtSettings(settings: MsprtSettings): PreparedMsprtSettings {
  assertMsprtSettings(settings);
  return {
    alpha: settings.alpha, horizonPerArm: settings.horizonPerArm,
    optimalRatio: optimalMixingRatio(settings.alpha), logAlpha: Math.log(settings.alpha),
  };
}

/** r* = −2·log α + log(1 − 2·log α), the width-optimal r at the horizon (≈ 7.94 at α = 0.05). */
export function optimalMixingRatio(alpha: number): number {
  const minusTwoLogAlpha = -2 * Math.log(alpha);
  return minusTwoLogAlpha + Math.log1p(minusTwoLogAlpha);
}

/** n_eff = (1/n_T + 1/n_C)⁻¹, so that V = σ²/n_eff for a difference of two means. */
export function effectiveSampleSize(nT: number, nC: number): number {
  return (nT * nC) / (nT + nC);
}

/**
 * r_n = r*·n_eff/n_eff(N*), with n_eff(N*) = (1/N* + 1/N*)⁻¹ = ½·N* the effective size at
 * the horizon of N* users per arm. This makes r = r* at N* per arm, i.e. τ² = r_n·V =
 * r*·V(N*) for a fixed per-user variance, the interval ≈ 1.55× a fixed 95% one there, and
 * matches GrowthBook's ρ with N* = 5000 users across two arms. (STATS.md writes r*·n_eff/N*,
 * which would put r = r* at 2N* per arm; see README "Choosing the mixing variance".)
 * τ² is not fitted to the running variance, so the mixture stays fixed and the test valid.
 */
export function mixingRatio(nT: number, nC: number, settings: MsprtSettings): number {
  const horizonEffective = settings.horizonPerArm / 2;
  return (optimalMixingRatio(settings.alpha) * effectiveSampleSize(nT, nC)) / horizonEffective;
}

/** log Λ = −½·log1p(r) + (r/(1+r))·z²/2, the normal-mixture likelihood ratio. */
export function logLikelihoodRatio(z: number, r: number): number {
  return -0.5 * Math.log1p(r) + ((r / (1 + r)) * z * z) / 2;
}

/** p_n = min(p_{n−1}, exp(−max(log Λ_n, 0))). */
export function nextPValue(previous: number, logLambda: number): number {
  return Math.min(previous, Math.exp(-Math.max(logLambda, 0)));
}

/**
 * Half-width of the always-valid interval, sqrt(V·(1+r)/r·(log1p(r) − 2·log α)). At a fixed
 * r (τ² fixed before launch) any α may be used, e.g. α/m for a Bonferroni family; the
 * interval excludes θ at level α exactly when log Λ at θ exceeds −log α.
 */
export function alwaysValidHalfWidth(variance: number, r: number, alpha: number): number {
  return Math.sqrt(((variance * (1 + r)) / r) * (Math.log1p(r) - 2 * Math.log(alpha)));
}

/**
 * The minimum-sample gate: each arm ≥ 100 users; for propensity and for relative lift also
 * ≥ 25 successes and ≥ 25 failures in each arm. Returns why it is closed, or null when open.
 */
export function gateReason(
  treatment: ArmSummary, control: ArmSummary, metric: Metric, scale: EffectScale,
): GateReason | null {
  if (Math.min(treatment.n, control.n) < MIN_USERS_PER_ARM) return 'too_few_users';
  if (metric === 'volume' && scale === 'absolute') return null;
  const min = MIN_SUCCESSES_AND_FAILURES_PER_ARM;
  if (Math.min(treatment.successes, control.successes) < min) return 'too_few_successes';
  if (Math.min(treatment.failures, control.failures) < min) return 'too_few_failures';
  return null;
}

/**
 * Δ and V for treatment against control. Absolute: Δ = x̄_T − x̄_C, V = s_T²/n_T + s_C²/n_C.
 * Relative: the log-ratio Δ = log(x̄_T/x̄_C) with the delta-method variance of each arm's
 * log-mean, V = s_T²/(n_T·x̄_T²) + s_C²/(n_C·x̄_C²) (README "Effects": unlike the variance of
 * the ratio itself, it does not shrink when the control mean is drawn high, and it is
 * symmetric in the two arms). Not computable (never p = 0) when either arm has zero
 * per-user variance (all users alike, including q ∈ {0, 1}), when the control mean is zero
 * (relative lift), or when anything is not finite (e.g. n < 2).
 */
export function estimateEffect(
  treatment: ArmSummary, control: ArmSummary, scale: EffectScale,
): EffectEstimate | { notComputable: NotComputableReason } {
  const { n: nT, mean: mT, variance: vT } = treatment;
  const { n: nC, mean: mC, variance: vC } = control;
  if (!(Number.isFinite(mT) && Number.isFinite(mC) && Number.isFinite(vT) && Number.isFinite(vC))) return { notComputable: 'not_finite' };
  if (vT <= 0 || vC <= 0) return { notComputable: 'zero_variance' };
  if (scale === 'absolute') return { delta: mT - mC, variance: vT / nT + vC / nC };
  if (mC === 0) return { notComputable: 'zero_control_mean' };
  const delta = Math.log(mT / mC);
  const variance = vT / (nT * mT * mT) + vC / (nC * mC * mC);
  if (!Number.isFinite(delta) || !Number.isFinite(variance) || variance <= 0) return { notComputable: 'not_finite' };
  return { delta, variance };
}

/**
 * One look of the test H0: Δ = 0 for (metric, scale), T against C. Pure: returns the next
 * state (the same object when the look was gated or not computable) and what was seen.
 */
export function msprtLook(
  state: MsprtState,
  treatment: GroupMoments,
  control: GroupMoments,
  test: { metric: Metric; scale: EffectScale },
  settings: MsprtSettings,
): { state: MsprtState; look: MsprtLook } {
  const prepared = prepareMsprtSettings(settings);
  const t = summarizeArm(treatment, test.metric);
  const c = summarizeArm(control, test.metric);
  return msprtLookOfArms(state, t, c, test.metric, test.scale, prepared);
}

/**
 * `msprtLook` on arms already summarised and settings already prepared: the operator
 * summarises each arm once per look and reads every (metric, scale) test from them.
 */
export function msprtLookOfArms(
  state: MsprtState, t: ArmSummary, c: ArmSummary, metric: Metric, scale: EffectScale, settings: PreparedMsprtSettings,
): { state: MsprtState; look: MsprtLook } {
  const gated = gateReason(t, c, metric, scale);
  if (gated) return { state, look: { status: 'gated', reason: gated } };
  const effect = estimateEffect(t, c, scale);
  if ('notComputable' in effect) {
    return { state, look: { status: 'not_computable', reason: effect.notComputable } };
  }
  const { delta, variance } = effect;
  // r_n = r*·n_eff/n_eff(N*), as mixingRatio computes it (with r* prepared).
  const r = (settings.optimalRatio * effectiveSampleSize(t.n, c.n)) / (settings.horizonPerArm / 2);
  const z = delta / Math.sqrt(variance);
  const logLambda = logLikelihoodRatio(z, r);
  if (!Number.isFinite(logLambda)) return { state, look: { status: 'not_computable', reason: 'not_finite' } };
  const pValue = nextPValue(state.pValue, logLambda);
  // alwaysValidHalfWidth(variance, r, α) with log α prepared.
  const halfWidth = Math.sqrt(((variance * (1 + r)) / r) * (Math.log1p(r) - 2 * settings.logAlpha));
  const next = { pValue, looks: state.looks + 1 };
  if (scale === 'relative') {
    // Tested on the log scale; the lift and its interval are mapped back with expm1, which
    // is increasing, so the interval excludes 0 exactly when the log-scale one does.
    return {
      state: next,
      look: {
        status: 'computed', delta: t.mean / c.mean - 1, variance, z, r, logLikelihoodRatio: logLambda, pValue,
        lo: Math.expm1(delta - halfWidth), hi: Math.expm1(delta + halfWidth),
      },
    };
  }
  return {
    state: next,
    look: {
      status: 'computed', delta, variance, z, r, logLikelihoodRatio: logLambda, pValue,
      lo: delta - halfWidth, hi: delta + halfWidth,
    },
  };
}
