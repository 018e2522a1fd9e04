// Harm and SRM alerts (STATS.md "Alerts"): each fires at most once per identity, at the
// first look that crosses, with an id derived from the identity so a replay of the same
// stream produces the same id and, given the persisted state, does not fire again.
import { createHash } from 'node:crypto';
import type { MsprtLook } from './msprt.ts';
import { alwaysValidHalfWidth } from './msprt.ts';

/** An action's direction from the experiment metadata. */
export type Direction = 'up_is_good' | 'down_is_good' | 'none';

/** Identity of an SRM alert: one test per (experiment, epoch, segment). */
export interface SrmAlertKey {
  experimentId: string;
  /** Epoch start, epoch ms. */
  epochStartMs: number;
  segment: string | number;
}

/** Identity of a harm alert. `metric` names the test, e.g. 'volume' or 'propensity'. */
export interface HarmAlertKey extends SrmAlertKey {
  action: string;
  metric: string;
  treatment: string;
}

/**
 * Alerts already fired, canonical key → alert id. Plain and JSON-serialisable; the caller
 * persists it (e.g. per experiment and epoch) and passes it back on the next look.
 */
export interface FiredAlerts {
  harm: Record<string, string>;
  srm: Record<string, string>;
}

/** The Bonferroni family: every (action, metric, treatment) test that can raise a harm alert. */
export interface FamilySize {
  actions: number;
  metrics: number;
  treatments: number;
}

export interface HarmAlert {
  kind: 'harm';
  id: string;
  key: HarmAlertKey;
  direction: Exclude<Direction, 'none'>;
  delta: number;
  /** The always-valid interval at the Bonferroni level, which excludes zero on the bad side. */
  lo: number;
  hi: number;
  level: number;
}

export interface SrmAlert {
  kind: 'srm';
  id: string;
  key: SrmAlertKey;
  pValue: number;
  level: number;
}

export function emptyFiredAlerts(): FiredAlerts {
  return { harm: {}, srm: {} };
}

/** α/m with m = actions × metrics × treatments (valid over always-valid p-values). */
export function bonferroniAlpha(alpha: number, family: FamilySize): number {
  const m = family.actions * family.metrics * family.treatments;
  if (!(m >= 1) || !Number.isInteger(m)) throw new RangeError(`Bonferroni family size must be a positive integer, got ${m}`);
  return alpha / m;
}

/** Unambiguous text of an identity (JSON of its fields as strings). */
export function canonicalAlertKey(kind: 'harm' | 'srm', key: SrmAlertKey | HarmAlertKey): string {
  const fields = [kind, key.experimentId, String(key.epochStartMs), String(key.segment)];
  if ('action' in key) fields.push(key.action, key.metric, key.treatment);
  return JSON.stringify(fields);
}

/** Deterministic alert id: sha1 hex of the canonical key. */
export function alertId(kind: 'harm' | 'srm', key: SrmAlertKey | HarmAlertKey): string {
  return createHash('sha1').update(canonicalAlertKey(kind, key)).digest('hex');
}

/**
 * Fires when the look was computed and its always-valid interval at α/m excludes zero on
 * the bad side (hi < 0 for `up_is_good`, lo > 0 for `down_is_good`; never for `none`), and
 * this identity has not fired before. `look` must be the absolute-difference look (a
 * relative lift has the same sign, and its V is on the log scale); its r is reused, since
 * τ² was fixed at level α.
 * Pure: returns `fired` itself when nothing fires, else a copy with the new entry.
 */
export function checkHarmAlert(
  fired: FiredAlerts,
  input: { key: HarmAlertKey; direction: Direction; look: MsprtLook; alpha: number; family: FamilySize },
): { fired: FiredAlerts; alert: HarmAlert | null } {
  const { key, direction, look } = input;
  if (direction === 'none' || look.status !== 'computed') return { fired, alert: null };
  const level = bonferroniAlpha(input.alpha, input.family);
  const halfWidth = alwaysValidHalfWidth(look.variance, look.r, level);
  const lo = look.delta - halfWidth;
  const hi = look.delta + halfWidth;
  const harmful = direction === 'up_is_good' ? hi < 0 : lo > 0;
  if (!harmful) return { fired, alert: null };
  const canonical = canonicalAlertKey('harm', key);
  if (Object.hasOwn(fired.harm, canonical)) return { fired, alert: null };
  const id = alertId('harm', key);
  return {
    fired: { ...fired, harm: { ...fired.harm, [canonical]: id } },
    alert: { kind: 'harm', id, key, direction, delta: look.delta, lo, hi, level },
  };
}

/**
 * Fires when the sequential SRM p-value (running minimum) is ≤ `alpha` and this identity has
 * not fired before. Pure, like checkHarmAlert.
 */
export function checkSrmAlert(
  fired: FiredAlerts,
  input: { key: SrmAlertKey; pValue: number; alpha: number },
): { fired: FiredAlerts; alert: SrmAlert | null } {
  if (!(input.pValue <= input.alpha)) return { fired, alert: null };
  const canonical = canonicalAlertKey('srm', input.key);
  if (Object.hasOwn(fired.srm, canonical)) return { fired, alert: null };
  const id = alertId('srm', input.key);
  return {
    fired: { ...fired, srm: { ...fired.srm, [canonical]: id } },
    alert: { kind: 'srm', id, key: input.key, pValue: input.pValue, level: input.alpha },
  };
}
