/**
 * Study mode (`study` option): many one-treatment experiments side by side for A/A and
 * known-effect studies of the statistics. Users are partitioned among experiments, so an
 * action joins exactly one experiment's trigger: user index i = rank − 1 lies in wave
 * w = ⌊i / (users / waves)⌋ and belongs to experiment w·B + (i mod users/waves) mod B, with
 * B = experiments / waves; a wave launches at the time of its first user's trigger. Each user's records are contiguous logical events: the trigger, then
 * for each tracked action its count of actions. Whether the user acts (the experiment's base
 * rate for that action, × (1 + lift) in treatment) and how often (Zipf-like on 1..cap) are
 * draws of (seed, user, action), so a user's whole history is known up front; a prefix table
 * of event counts maps a logical event to its user in O(log users), O(1) when walking forward.
 */
import { EPOCH_MS } from '../model/index.ts';
import { rankOf, unit } from './hash.ts';
import { S, unitForGroup } from './plan.ts';
import type { Plans } from './plan.ts';
import type { TrafficConfig } from './spec.ts';

export type StudyConfig = NonNullable<TrafficConfig['study']>;

/** Where a logical event falls: user index, and slot (0 trigger, s ≥ 1 the s-th action). */
export interface StudySlot {
  readonly user: number;
  readonly slot: number;
}

export class StudyLayout {
  readonly experiments: number;
  readonly actions: readonly string[];
  /** Cumulative P(count ≤ c) for c = 1..cap. */
  private readonly countCdf: Float64Array;
  /** offsets[i] = first logical event of user i; offsets[users] = total logical events. */
  private readonly offsets: Float64Array;
  /** Base rate per (experiment, action) and its treatment multiplier (1 + lift). */
  private readonly rates: Float64Array;
  private readonly lifts: Float64Array;
  private readonly treated: Uint8Array;
  /** Users and experiments per wave; each wave's launch time. */
  private readonly waveUsers: number;
  private readonly waveExperiments: number;
  readonly launches: readonly number[];
  private cursor = 0;

  constructor(private readonly c: TrafficConfig, private readonly s: StudyConfig, plans: Plans) {
    this.experiments = s.experiments;
    if (s.experiments % s.waves !== 0 || c.users % s.waves !== 0 || c.users < s.experiments) {
      throw new Error(`study: experiments (${s.experiments}) and users (${c.users}) must be multiples of waves (${s.waves}), with at least one user per experiment`);
    }
    this.waveUsers = c.users / s.waves;
    this.waveExperiments = s.experiments / s.waves;
    this.actions = Object.keys(c.actions);
    const A = this.actions.length;
    const weights = Array.from({ length: s.volume_cap }, (_, k) => (k + 1) ** -s.volume_zipf);
    const total = weights.reduce((x, w) => x + w, 0);
    let acc = 0;
    this.countCdf = Float64Array.from(weights, (w) => (acc += w / total));
    this.countCdf[s.volume_cap - 1] = 1;
    this.rates = new Float64Array(s.experiments * A);
    this.lifts = new Float64Array(s.experiments * A).fill(1);
    for (let k = 0; k < s.experiments; k++) {
      for (let a = 0; a < A; a++) this.rates[k * A + a] = s.rate_min + unit(c.seed, S.studyRate, k * A + a) * Math.max(0, s.rate_max - s.rate_min);
    }
    for (const f of c.effects) {
      const a = this.actions.indexOf(f.action);
      if (f.experiment < s.experiments && a >= 0) this.lifts[f.experiment * A + a] = 1 + f.lift;
    }
    this.treated = new Uint8Array(c.users);
    this.offsets = new Float64Array(c.users + 1);
    let at = 0;
    for (let i = 0; i < c.users; i++) {
      this.offsets[i] = at;
      // One treatment at 50/50: the bucket's upper half is the treatment (as groupAt lays it out).
      this.treated[i] = unitForGroup(c.seed, i + 1, this.experimentOf(i)) >= 0.5 ? 1 : 0;
      at += 1;
      for (let a = 0; a < A; a++) at += this.count(i, a);
    }
    this.offsets[c.users] = at;
    const time = (e: number) => c.start + Math.floor(e * c.event_interval);
    this.launches = Array.from({ length: s.waves }, (_, w) => {
      const first = this.offsets[w * this.waveUsers]!;
      const last = this.offsets[(w + 1) * this.waveUsers]! - 1;
      if (time(last) - time(first) >= EPOCH_MS - 3_600_000) {
        throw new Error(`study: wave ${w} spans ${((time(last) - time(first)) / 86_400_000).toFixed(2)} days of event time; keep it under 3 days less an hour (event_interval, users, waves)`);
      }
      return time(first);
    });
    plans.studyLaunch = (k) => this.launches[Math.floor(k / this.waveExperiments)]!;
  }

  /** Wave of experiment k. */
  waveOf(k: number): number {
    return Math.floor(k / this.waveExperiments);
  }

  /** Logical events in the whole study. */
  get totalEvents(): number {
    return this.offsets[this.c.users]!;
  }

  /** Experiment number of user index i. */
  experimentOf(user: number): number {
    const w = Math.floor(user / this.waveUsers);
    return w * this.waveExperiments + ((user - w * this.waveUsers) % this.waveExperiments);
  }

  /** The propensity base rate of (experiment k, action), in control or in treatment. */
  rate(k: number, action: string, treatment = false): number {
    const i = k * this.actions.length + this.actions.indexOf(action);
    return Math.min(1, this.rates[i]! * (treatment ? this.lifts[i]! : 1));
  }

  /** E[count | the user acts]: the mean of the capped Zipf-like count. */
  get activeMean(): number {
    let mean = 0;
    let prev = 0;
    this.countCdf.forEach((cdf, j) => {
      mean += (j + 1) * (cdf - prev);
      prev = cdf;
    });
    return mean;
  }

  /** User i's count of action index a (0 when the user does not act on it). */
  count(i: number, a: number): number {
    const { seed } = this.c;
    const A = this.actions.length;
    const cell = this.experimentOf(i) * A + a;
    const rate = this.rates[cell]! * (this.treated[i] ? this.lifts[cell]! : 1);
    if (unit(seed, S.studyActive + a, i) >= rate) return 0;
    return rankOf(this.countCdf, unit(seed, S.studyCount + a, i));
  }

  /** The user and slot of logical event e, or undefined past the last user. */
  locate(e: number): StudySlot | undefined {
    const o = this.offsets;
    const users = this.c.users;
    if (e >= o[users]!) return undefined;
    let i = this.cursor;
    if (!(o[i]! <= e && e < o[i + 1]!)) {
      if (o[i + 1]! <= e && e < o[i + 2]!) i++;
      else {
        let lo = 0;
        let hi = users - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (o[mid]! <= e) lo = mid;
          else hi = mid - 1;
        }
        i = lo;
      }
      this.cursor = i;
    }
    return { user: i, slot: e - o[i]! };
  }

  /** The action name of slot s ≥ 1 of user i. */
  actionAt(i: number, s: number): string {
    let left = s;
    for (let a = 0; a < this.actions.length; a++) {
      left -= this.count(i, a);
      if (left <= 0) return this.actions[a]!;
    }
    throw new Error(`user ${i} has no slot ${s}`);
  }
}
