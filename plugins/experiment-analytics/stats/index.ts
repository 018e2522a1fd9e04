// Public surface of the experiment statistics: pure functions and plain state objects, no
// I/O and no runtime dependencies. See README.md for the method and its assumptions.
export type { GroupMoments } from './moments.ts';
export {
  addMoments, emptyMoments, meanVolume, perUserVariance, propensity, propensityVariance,
  recordAction, recordTrigger, retractAction, varianceNumerator,
} from './moments.ts';

export type {
  ArmSummary, EffectEstimate, EffectScale, GateReason, Metric, MsprtLook, MsprtSettings,
  MsprtState, NotComputableReason, PreparedMsprtSettings,
} from './msprt.ts';
export {
  DEFAULT_HORIZON_PER_ARM, MIN_SUCCESSES_AND_FAILURES_PER_ARM, MIN_USERS_PER_ARM,
  alwaysValidHalfWidth, assertMsprtSettings, effectiveSampleSize, estimateEffect, gateReason,
  initialMsprtState, logLikelihoodRatio, mixingRatio, msprtLook, msprtLookOfArms, nextPValue, optimalMixingRatio,
  prepareMsprtSettings, summarizeArm,
} from './msprt.ts';

export type { SrmLook, SrmState } from './srm.ts';
export {
  DEFAULT_SRM_CONCENTRATION, SrmPrior, chiSquareSrm, initialSrmState, plannedProportions, srmLogBayesFactor,
  srmLook,
} from './srm.ts';

export type {
  Direction, FamilySize, FiredAlerts, HarmAlert, HarmAlertKey, SrmAlert, SrmAlertKey,
} from './alerts.ts';
export {
  alertId, bonferroniAlpha, canonicalAlertKey, checkHarmAlert, checkSrmAlert, emptyFiredAlerts,
} from './alerts.ts';

export { logGamma, logMultivariateBeta, regularizedGammaQ } from './special.ts';

// The operator: statistics on every update of the counts, alerts on `alerts`.
export { experimentStatsPlugin } from './stats-operator.ts';
export type { StatsConfig } from './spec.ts';
export type { SegmentPlan } from './metadata-catalog.ts';
