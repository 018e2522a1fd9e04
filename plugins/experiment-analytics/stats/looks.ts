/**
 * One look of `experiment_stats`: what an update of a counts row recomputes. An action row
 * re-reads every (metric, treatment) test of that action; the trigger row (`_`) re-reads
 * the segment's sequential SRM test. Pure functions over plain state objects: the operator
 * reads them from keyed state, passes them here and writes back what comes out.
 */
import { TRIGGER_ACTION } from '../model/index.ts';
import type { Row } from 'sluice/api';
import type { GroupMoments } from './moments.ts';
import { initialMsprtState, msprtLookOfArms, summarizeArm } from './msprt.ts';
import type { Metric, MsprtLook, MsprtState } from './msprt.ts';
import { initialSrmState, srmLook } from './srm.ts';
import type { SrmState } from './srm.ts';
import { checkHarmAlert, checkSrmAlert } from './alerts.ts';
import type { FiredAlerts } from './alerts.ts';
import type { SegmentPlan } from './metadata-catalog.ts';
import { cellKey, testKey } from './keys.ts';

/** A counts cell: [volume, propensity, sum_sq] of an action row, [triggered, 0, 0] of the `_` row. */
export type CountsCell = readonly [number, number, number];

/** Running state of one (action, metric, treatment): the absolute and the lift test, and looks read. */
export interface TestState {
  readonly abs: MsprtState;
  readonly rel: MsprtState;
  /** Updates read for this test (gated and not-computable looks included). */
  readonly looks: number;
}

/** The segment's SRM test and the updates of the trigger row read for it. */
export interface SrmTestState extends SrmState {
  /** Updates read; `looks` of SrmState counts the same, every SRM look is computed. */
  readonly reads: number;
}

export const METRICS: readonly Metric[] = ['volume', 'propensity'];
export { cellKey, testKey };

/** What a look produced: stats rows (with `insert` on a row's first emission) and alerts. */
export interface LookOutput {
  readonly rows: { row: Row; first: boolean }[];
  readonly alerts: Row[];
}

type CellReader = (key: string) => CountsCell | undefined;

function momentsOf(cells: CellReader, cell: string, trigger: string): GroupMoments {
  const c = cells(cell);
  return { n: cells(trigger)?.[0] ?? 0, s1: c?.[0] ?? 0, s2: c?.[2] ?? 0, k: c?.[1] ?? 0 };
}

const num = (look: MsprtLook, f: 'delta' | 'lo' | 'hi'): number | null => (look.status === 'computed' ? look[f] : null);

/**
 * An action row changed: every treatment against control, both metrics, absolute and
 * relative. Returns the new test states by `testKey`, the new fired alerts and the output.
 * Each arm is summarised once per metric per look (the control once for all treatments),
 * and the settings' constants come prepared with the plan.
 */
export function actionLook(
  plan: SegmentPlan, action: string, cells: CellReader, tests: (key: string) => TestState | undefined,
  fired: FiredAlerts, srmP: number | null, time: number,
): { tests: [string, TestState][]; fired: FiredAlerts; out: LookOutput } {
  const settings = plan.msprt;
  const keys = plan.keysOf(action);
  const control = momentsOf(cells, keys.cells[0]!, keys.triggers[0]!);
  const controlArms = [summarizeArm(control, METRICS[0]!), summarizeArm(control, METRICS[1]!)] as const;
  const direction = plan.directions[action] ?? 'none';
  const treatments = plan.treatments;
  const updated: [string, TestState][] = new Array(2 * treatments.length);
  const out: LookOutput = { rows: new Array(2 * treatments.length), alerts: [] };
  for (let ti = 0; ti < treatments.length; ti++) {
    const treatment = treatments[ti]!;
    const t = momentsOf(cells, keys.cells[ti + 1]!, keys.triggers[ti + 1]!);
    for (let mi = 0; mi < METRICS.length; mi++) {
      const metric = METRICS[mi]!;
      const i = 2 * ti + mi;
      const key = keys.tests[i]!;
      const before = tests(key) ?? { abs: initialMsprtState(), rel: initialMsprtState(), looks: 0 };
      const tArm = summarizeArm(t, metric);
      const cArm = controlArms[mi]!;
      const abs = msprtLookOfArms(before.abs, tArm, cArm, metric, 'absolute', settings);
      const rel = msprtLookOfArms(before.rel, tArm, cArm, metric, 'relative', settings);
      const state: TestState = { abs: abs.state, rel: rel.state, looks: before.looks + 1 };
      updated[i] = [key, state];
      const gated = abs.look.status === 'gated' ? abs.look.reason : rel.look.status === 'gated' ? rel.look.reason : null;
      const pValue = state.abs.looks > 0 ? state.abs.pValue : null;
      out.rows[i] = {
        first: before.looks === 0,
        row: {
          row_key: keys.rows[i]!,
          experiment_id: plan.experimentId, epoch_start: plan.epochStart, segment: plan.segment, action, metric, treatment,
          delta: num(abs.look, 'delta'), lo: num(abs.look, 'lo'), hi: num(abs.look, 'hi'),
          lift: num(rel.look, 'delta'), lift_lo: num(rel.look, 'lo'), lift_hi: num(rel.look, 'hi'),
          p_always_valid: pValue, gated, srm_p: srmP, looks: state.looks,
        },
      };
      if (direction === 'none' || abs.look.status !== 'computed') continue; // checkHarmAlert fires on neither
      const harm = checkHarmAlert(fired, {
        key: { experimentId: plan.experimentId, epochStartMs: plan.epochStart, segment: plan.segment, action, metric, treatment },
        direction, look: abs.look, alpha: plan.alpha, family: plan.family,
      });
      fired = harm.fired;
      if (harm.alert) {
        const a = harm.alert;
        out.alerts.push({
          alert_id: a.id, kind: 'harm', experiment_id: plan.experimentId, epoch_start: plan.epochStart, segment: plan.segment,
          action, metric, treatment, direction: a.direction, threshold: a.level, p_always_valid: pValue,
          delta: a.delta, lo: a.lo, hi: a.hi, looks: state.looks, ts: time,
        });
      }
    }
  }
  return { tests: updated, fired, out };
}

/** The trigger row changed: one look of the sequential SRM test on triggered users. */
export function srmLookOf(
  plan: SegmentPlan, cells: CellReader, before: SrmTestState | undefined, fired: FiredAlerts, time: number,
): { state: SrmTestState; fired: FiredAlerts; out: LookOutput } {
  const prior = before ?? { ...initialSrmState(), reads: 0 };
  let state: SrmTestState = { pValue: prior.pValue, looks: prior.looks, reads: prior.reads + 1 };
  const out: LookOutput = { rows: [], alerts: [] };
  if (plan.srmPrior) {
    const counts = plan.srmCells.map((key) => cells(key)?.[0] ?? 0);
    const look = srmLook(prior, counts, plan.srmPrior);
    state = { pValue: look.state.pValue, looks: look.state.looks, reads: state.reads };
    const srm = checkSrmAlert(fired, {
      key: { experimentId: plan.experimentId, epochStartMs: plan.epochStart, segment: plan.segment }, pValue: look.look.pValue, alpha: plan.alpha,
    });
    fired = srm.fired;
    if (srm.alert) {
      out.alerts.push({
        alert_id: srm.alert.id, kind: 'srm', experiment_id: plan.experimentId, epoch_start: plan.epochStart, segment: plan.segment,
        action: TRIGGER_ACTION, metric: 'srm', treatment: TRIGGER_ACTION, direction: null, threshold: plan.alpha,
        p_always_valid: look.look.pValue, delta: null, lo: null, hi: null, looks: state.reads, ts: time,
      });
    }
  }
  out.rows.push({
    first: prior.reads === 0,
    row: {
      row_key: plan.srmRowKey,
      experiment_id: plan.experimentId, epoch_start: plan.epochStart, segment: plan.segment,
      action: TRIGGER_ACTION, metric: 'srm', treatment: TRIGGER_ACTION,
      delta: null, lo: null, hi: null, lift: null, lift_lo: null, lift_hi: null, p_always_valid: null, gated: null,
      srm_p: plan.srmPrior ? state.pValue : null, looks: state.reads,
    },
  });
  return { state, fired, out };
}
