/**
 * What logical event e is, as a pure function of (seed, e): an activation (user, experiment,
 * group) or an action (user, action, attributes), or nothing when the true effects thin it
 * out or a sample-ratio mismatch loses it. Event time advances with the index.
 */
import type { Row } from 'sluice/api';
import { S, groupAt } from './plan.ts';
import type { Plan, Plans } from './plan.ts';
import { unit, ZipfSampler } from './hash.ts';
import type { TrafficConfig } from './spec.ts';
import { StudyLayout } from './study.ts';

const SURFACES = ['home', 'search', 'board', 'profile', 'related'] as const;

interface Effect {
  readonly k: number;
  readonly action: string;
  readonly group: string | undefined;
  /** Acceptance in the affected group and elsewhere; their ratio is 1 + lift, the larger is 1. */
  readonly inGroup: number;
  readonly elsewhere: number;
}

export class EventModel {
  private readonly zipf: ZipfSampler;
  private readonly actionNames: string[];
  private readonly actionCdf: number[];
  private readonly effects: readonly Effect[];
  private readonly losses: ReadonlyMap<number, number>;
  /** Study mode's layout of users over logical events (`study` option), else undefined. */
  readonly study: StudyLayout | undefined;

  constructor(private readonly c: TrafficConfig, private readonly plans: Plans) {
    this.study = c.study ? new StudyLayout(c, c.study, plans) : undefined;
    this.zipf = new ZipfSampler(c.users, c.user_zipf);
    const entries = Object.entries(c.actions).filter(([, w]) => w > 0);
    const total = entries.reduce((s, [, w]) => s + w, 0);
    this.actionNames = entries.map(([a]) => a);
    let acc = 0;
    this.actionCdf = entries.map(([, w]) => (acc += w / total));
    this.effects = c.effects.map((e) => ({
      k: e.experiment, action: e.action, group: e.group,
      inGroup: 1 / Math.max(1, 1 + e.lift) * (1 + e.lift), elsewhere: 1 / Math.max(1, 1 + e.lift),
    }));
    this.losses = new Map(c.sample_ratio_mismatch.map((m) => [m.experiment, m.loss]));
  }

  time(e: number): number {
    return this.c.start + Math.floor(e * this.c.event_interval);
  }

  isActivation(e: number): boolean {
    if (this.study) return this.study.locate(e)?.slot === 0;
    return unit(this.c.seed, S.type, e) < this.c.activation_share;
  }

  userRank(e: number): number {
    return this.zipf.rank(unit(this.c.seed, S.user, e));
  }

  /** The user rank drawn by the last `build` (saves a second draw for the partition). */
  lastUserRank = 0;

  get userSampler(): ZipfSampler {
    return this.zipf;
  }

  /** The event's record, or undefined when the event produces none. */
  build(e: number): Row | undefined {
    if (this.study) return this.studied(e, this.study);
    return this.isActivation(e) ? this.activation(e) : this.action(e);
  }

  /** Study mode: the trigger of the event's user (unless an SRM loses it) or one of its actions. */
  private studied(e: number, study: StudyLayout): Row | undefined {
    const at = study.locate(e);
    if (!at) return undefined;
    const t = this.time(e);
    const rank = (this.lastUserRank = at.user + 1);
    if (at.slot > 0) return this.actionRow(e, rank, study.actionAt(at.user, at.slot), t);
    const plan = this.plans.plan(study.experimentOf(at.user));
    const group = groupAt(plan, this.c.seed, rank, t)!;
    if (this.lost(plan, group, rank)) return undefined;
    return { event_id: `a-${e}`, user_id: `u${rank}`, experiment_id: plan.id, group, ts: t };
  }

  private lost(plan: Plan, group: string, rank: number): boolean {
    const loss = this.losses.get(plan.k);
    return loss !== undefined && group === plan.groups[1] && unit(this.c.seed ^ Math.imul(plan.k + 1, 0x5bd1e995), S.srm, rank) < loss;
  }

  private chooseExperiment(e: number, t: number): Plan {
    const { seed, hot_share } = this.c;
    if (unit(seed, S.hot, e) < hot_share) return this.plans.plan(0);
    const [lo, hi] = this.plans.candidateRange(t);
    for (let attempt = 0; attempt < 6 && hi >= lo; attempt++) {
      const p = this.plans.plan(lo + Math.floor(unit(seed, S.pick + attempt * 100, e) * (hi - lo + 1)));
      if (p.launch <= t && t < p.end) return p;
    }
    return this.plans.plan(0);
  }

  private activation(e: number): Row | undefined {
    const t = this.time(e);
    const plan = this.chooseExperiment(e, t);
    const rank = (this.lastUserRank = this.userRank(e));
    const group = groupAt(plan, this.c.seed, rank, t);
    if (group === undefined) return undefined;
    if (this.lost(plan, group, rank)) return undefined;
    return { event_id: `a-${e}`, user_id: `u${rank}`, experiment_id: plan.id, group, ts: t };
  }

  private action(e: number): Row | undefined {
    const { seed } = this.c;
    const t = this.time(e);
    const rank = (this.lastUserRank = this.userRank(e));
    const u = unit(seed, S.action, e);
    let i = 0;
    while (i < this.actionCdf.length - 1 && u >= this.actionCdf[i]!) i++;
    const action = this.actionNames[i]!;
    let accept = 1;
    for (const f of this.effects) {
      if (f.action !== action) continue;
      const plan = this.plans.plan(f.k);
      if (t < plan.launch || t >= plan.end) continue;
      const g = groupAt(plan, seed, rank, t);
      accept *= g === (f.group ?? plan.groups[1]) ? f.inGroup : f.elsewhere;
    }
    if (accept < 1 && unit(seed, S.accept, e) >= accept) return undefined;
    return this.actionRow(e, rank, action, t);
  }

  private actionRow(e: number, rank: number, action: string, t: number): Row {
    const { seed } = this.c;
    const surface = SURFACES[Math.floor(unit(seed, S.surface, e) * SURFACES.length)]!;
    const item = Math.floor(unit(seed, S.item, e) * 1_000_000);
    return action === 'search'
      ? { event_id: `x-${e}`, user_id: `u${rank}`, action, ts: t, surface, query: `q${item % 5000}` }
      : { event_id: `x-${e}`, user_id: `u${rank}`, action, ts: t, surface, item_id: `i${item}` };
  }
}
