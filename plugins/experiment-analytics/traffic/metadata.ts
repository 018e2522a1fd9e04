/**
 * Metadata versions: one per ramp of each experiment, carrying the ramp history so far,
 * in force from the ramp's time and published `metadata_lead` before it (its event time).
 */
import type { Row } from 'sluice/api';
import type { Ramp } from '../model/index.ts';
import { HOT_PERIOD } from './plan.ts';
import type { Plan, Plans } from './plan.ts';
import type { TrafficConfig } from './spec.ts';

/** A version to deliver: experiment k's ramp j, published at `publish`. */
export interface VersionRef {
  readonly k: number;
  readonly j: number;
  readonly publish: number;
}

export function publishTime(plan: Plan, j: number, lead: number): number {
  return plan.ramp(j).ts - lead;
}

/**
 * Versions published in [from, to): normal experiments whose ramps can fall there, and the
 * hot experiment's ramps. `from = −Infinity` takes everything published before `to`.
 */
export function versionsPublishedIn(plans: Plans, c: TrafficConfig, from: number, to: number): VersionRef[] {
  const out: VersionRef[] = [];
  const lead = c.metadata_lead;
  if (c.study) {
    for (let k = 0; k < c.study.experiments; k++) {
      const p = publishTime(plans.plan(k), 0, lead);
      if (p >= from && p < to) out.push({ k, j: 0, publish: p });
    }
    return out;
  }
  const inWindow = (p: number) => p >= from && p < to;
  const hot = plans.plan(0);
  const firstHot = Number.isFinite(from) ? Math.max(0, 2 * Math.floor((from + lead - plans.base) / HOT_PERIOD) - 2) : 0;
  for (let j = firstHot; ; j++) {
    const p = publishTime(hot, j, lead);
    if (p >= to) break;
    if (inWindow(p)) out.push({ k: 0, j, publish: p });
  }
  // A normal experiment's ramps lie within maxSpan after its launch.
  const [, hi] = plans.candidateRange(to + lead);
  const lo = Number.isFinite(from) ? plans.candidateRange(from + lead)[0] : 1;
  for (let k = lo; k <= hi; k++) {
    const plan = plans.plan(k);
    for (let j = 0; j < plan.rampCount; j++) {
      const p = publishTime(plan, j, lead);
      if (inWindow(p)) out.push({ k, j, publish: p });
    }
  }
  return out;
}

export function metadataRow(plan: Plan, j: number, c: TrafficConfig, actions: Readonly<Record<string, string>>): Row {
  const ramps: Ramp[] = [];
  for (let i = 0; i <= j; i++) ramps.push(plan.ramp(i));
  const ramp = ramps[j]!;
  const row: Row = {
    event_id: `m-${plan.id}-${j}`,
    experiment_id: plan.id,
    groups: plan.groups,
    control: plan.groups[0],
    weights: ramp.weights,
    alpha: c.alpha,
    n_star: c.n_star,
    actions,
    ramps,
    effective_from: ramp.ts,
    ts: ramp.ts - c.metadata_lead,
  };
  // Study mode declares the per-user cap of an action's count (the model has no field for it yet).
  if (c.study) row.volume_cap = c.study.volume_cap;
  return row;
}
