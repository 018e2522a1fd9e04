/**
 * The experiments of a traffic run: when each launches and ends, its groups, its ramp
 * history, and which group a user falls in at a time. Everything is a pure function of
 * the seed and the experiment number, so any record can be generated on its own.
 *
 * Experiment 0 (`exp_0000`) is the hot one: it takes `hot_share` of the activations, never
 * ends, re-ramps every 3.5 days (a new epoch) with a ramp 1 day into each epoch (a new
 * segment). Experiment k ≥ 1 launches near `start − warmup + k·launch_every`, may ramp
 * inside its first epoch (a segment) and may re-ramp 3–5 days after launch (a new epoch).
 */
import type { Ramp, Weights } from '../model/index.ts';
import { unit } from './hash.ts';
import type { TrafficConfig } from './spec.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const HOT_PERIOD = 3.5 * DAY;
export const HOT_SEGMENT_AFTER = DAY;

// Draw streams: one number per independent decision, so no two decisions share a draw.
export const S = {
  launch: 1, life: 2, treatments: 3, smallStart: 4, inside: 5, insideAt: 6, reramp: 7, rerampAt: 8,
  type: 20, hot: 21, pick: 22, user: 30, action: 31, accept: 32, group: 33, srm: 34, surface: 35, item: 36,
  dup: 40, delayClass: 41, delay: 43, malformed: 45, malformedKind: 47, farFuture: 50,
  // Study mode: one stream per action index (up to 100 actions) for acting and for the count.
  studyRate: 60, studyActive: 100, studyCount: 200,
} as const;

export interface Plan {
  readonly k: number;
  readonly id: string;
  readonly launch: number;
  /** Exclusive end of triggering; Infinity for the hot experiment. */
  readonly end: number;
  /** Control first. */
  readonly groups: readonly string[];
  /** Number of ramps (launch included); Infinity for the hot experiment. */
  readonly rampCount: number;
  ramp(j: number): Ramp;
  /** Index of the latest ramp at or before t, −1 before the launch. */
  rampIndexAt(t: number): number;
}

export const experimentId = (k: number): string => `exp_${String(k).padStart(4, '0')}`;

function groupNames(treatments: number): string[] {
  if (treatments === 1) return ['control', 'treatment'];
  return ['control', ...Array.from({ length: treatments }, (_, i) => `treatment_${i + 1}`)];
}

/** Weights with `share` on each treatment and the rest on control (exactly summing to 1). */
function split(groups: readonly string[], share: number): Weights {
  const w: Record<string, number> = {};
  for (const g of groups.slice(1)) w[g] = share;
  w.control = 1 - share * (groups.length - 1);
  return w;
}

export class Plans {
  readonly base: number;
  /** Upper bound of `end − launch` over normal experiments, plus launch jitter. */
  readonly maxSpan: number;
  private readonly cache = new Map<number, Plan>();
  /** Study mode: each experiment's launch (set by the study layout). */
  studyLaunch: (k: number) => number = () => this.c.start;

  constructor(private readonly c: TrafficConfig) {
    this.base = c.start - c.warmup;
    this.maxSpan = Math.max(c.max_lifetime, 5 * DAY + 36 * HOUR) + c.launch_every;
  }

  plan(k: number): Plan {
    let p = this.cache.get(k);
    if (p) return p;
    if (this.cache.size > 8192) this.cache.clear();
    p = this.c.study ? this.studied(k) : k === 0 ? this.hot() : this.normal(k);
    this.cache.set(k, p);
    return p;
  }

  /** Normal experiments (k ≥ 1) whose launch can be at or before t and whose end after t − maxSpan. */
  candidateRange(t: number): [number, number] {
    const hi = Math.floor((t - this.base) / this.c.launch_every);
    const lo = Math.max(1, Math.floor((t - this.base - this.maxSpan) / this.c.launch_every));
    return [lo, hi];
  }

  /** Study mode: launched at `start` with one treatment at 50/50, never re-ramped. */
  private studied(k: number): Plan {
    const groups = groupNames(1);
    const launch = this.studyLaunch(k);
    const ramps: Ramp[] = [{ ts: launch, weights: split(groups, 0.5) }];
    return {
      k, id: experimentId(k), launch, end: Infinity, groups, rampCount: 1, ramp: (j) => ramps[j]!,
      rampIndexAt: (t) => (t >= launch ? 0 : -1),
    };
  }

  private hot(): Plan {
    const groups = groupNames(1);
    const base = this.base;
    const ramp = (j: number): Ramp => {
      const n = j >> 1;
      const ts = base + n * HOT_PERIOD + (j & 1 ? HOT_SEGMENT_AFTER : 0);
      const share = j === 0 ? 0.1 : j & 1 ? 0.5 : 0.2;
      return { ts, weights: split(groups, share) };
    };
    return {
      k: 0, id: experimentId(0), launch: base, end: Infinity, groups, rampCount: Infinity, ramp,
      rampIndexAt(t) {
        if (t < base) return -1;
        const n = Math.floor((t - base) / HOT_PERIOD);
        return 2 * n + (t - base - n * HOT_PERIOD >= HOT_SEGMENT_AFTER ? 1 : 0);
      },
    };
  }

  private normal(k: number): Plan {
    const { c } = this;
    const seed = c.seed;
    const launch = this.base + k * c.launch_every + Math.floor(unit(seed, S.launch, k) * (c.launch_every / 2));
    const life = c.min_lifetime + unit(seed, S.life, k) * Math.max(0, c.max_lifetime - c.min_lifetime);
    const treatments = 1 + Math.floor(unit(seed, S.treatments, k) * c.max_treatments);
    const groups = groupNames(treatments);
    const equal = 1 / groups.length;
    const smallStart = unit(seed, S.smallStart, k) < 0.5;
    const ramps: Ramp[] = [{ ts: launch, weights: split(groups, smallStart ? 0.05 : equal) }];
    if (unit(seed, S.inside, k) < c.inside_ramp_share) {
      const at = launch + 6 * HOUR + Math.floor(unit(seed, S.insideAt, k) * (2.5 * DAY - 6 * HOUR));
      ramps.push({ ts: at, weights: split(groups, smallStart ? equal : 0.4 / treatments) });
    }
    if (unit(seed, S.reramp, k) < c.reramp_share) {
      const at = launch + 3 * DAY + Math.floor(unit(seed, S.rerampAt, k) * 2 * DAY);
      ramps.push({ ts: at, weights: split(groups, equal) });
    }
    const end = Math.max(launch + Math.floor(life), ramps[ramps.length - 1]!.ts + 36 * HOUR);
    return {
      k, id: experimentId(k), launch, end, groups, rampCount: ramps.length, ramp: (j) => ramps[j]!,
      rampIndexAt(t) {
        let i = -1;
        while (i + 1 < ramps.length && ramps[i + 1]!.ts <= t) i++;
        return i;
      },
    };
  }
}

/**
 * The group a user falls in: a per-(user, experiment) bucket in [0, 1) laid out from the
 * top (last treatment) down to control, so a ramp-up moves control users into treatment.
 * Undefined before the launch.
 */
export function groupAt(plan: Plan, seed: number, userRank: number, t: number): string | undefined {
  const j = plan.rampIndexAt(t);
  if (j < 0) return undefined;
  const weights = plan.ramp(j).weights;
  const bucket = unitForGroup(seed, userRank, plan.k);
  let edge = 1;
  const { groups } = plan;
  for (let i = groups.length - 1; i > 0; i--) {
    edge -= weights[groups[i]!]!;
    if (bucket >= edge) return groups[i]!;
  }
  return groups[0]!;
}

export function unitForGroup(seed: number, userRank: number, k: number): number {
  return unit(seed ^ Math.imul(k + 1, 0x165667b1), S.group, userRank);
}
