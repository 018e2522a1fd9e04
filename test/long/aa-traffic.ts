/**
 * `aa_counts`: a test source that emits the counts upsert stream (flagship contract §2) and
 * the experiment metadata (§5) of many one-treatment experiments running side by side,
 * for the validity suites of `experiment_stats`. It stands in for the flagship chain
 * (generator → dedupe → first_trigger → join → experiment_counts) with a model fixed
 * before looking at results (STATS.md "How to show it works"):
 *
 * - experiment e has a propensity base rate p_e drawn uniformly in [min_rate, max_rate];
 *   even experiments plan 50/50, odd ones 60/40 (control/treatment);
 * - at each tick every running experiment triggers one new user, into a group drawn by the
 *   planned weights (optionally losing `srm_loss` of the treatment's users: a mismatch);
 * - a user acts with probability p_e (p_e·(1 + lift) in treatment); an active user's count
 *   is Zipf-like, P(c) ∝ c^−zipf_s on 1..cap (the cap is declared in the metadata as
 *   `volume_cap`), each action at a delay of Exp(mean_delay) ticks after the trigger;
 * - every change of a counts row is emitted as an insert/update, in event-time order, and
 *   the watermark follows the tick.
 *
 * Deterministic by seed (one mulberry32 stream per experiment).
 */
import { definePlugin, field } from '../../core/api/index.ts';
import type { Infer, Row, SourceChunk, SourceInstance } from '../../core/api/index.ts';
import { countsRowKey } from '../../plugins/experiments-model/index.ts';
import { mulberry32 } from '../../plugins/operator-experiment-stats/mulberry32.ts';

export const AA_START = 1_767_225_600_000;
const ACTION = 'click';

export const aaSpec = field.object({
  seed: field.integer({ doc: 'Seed.', default: 1 }),
  experiments: field.integer({ doc: 'Experiments running side by side.', default: 1000, min: 1 }),
  users: field.integer({ doc: 'Users triggered per experiment (one per tick).', default: 10_000, min: 1 }),
  min_rate: field.number({ doc: 'Lowest propensity base rate.', default: 0.01 }),
  max_rate: field.number({ doc: 'Highest propensity base rate.', default: 0.05 }),
  zipf_s: field.number({ doc: 'Zipf exponent of an active user\'s count.', default: 1.5 }),
  cap: field.integer({ doc: 'Per-user cap of the count.', default: 50, min: 1 }),
  mean_delay: field.number({ doc: 'Mean delay of an action after its trigger, ticks.', default: 500 }),
  tick_ms: field.integer({ doc: 'Event time per tick.', default: 1000, min: 1 }),
  lift: field.number({ doc: 'True relative lift of the treatment\'s activity (0: A/A).', default: 0 }),
  srm_loss: field.number({ doc: 'Share of treatment users whose trigger is lost (0: no SRM).', default: 0 }),
  alpha: field.number({ doc: 'α in the metadata.', default: 0.05 }),
  n_star: field.integer({ doc: 'N* in the metadata.', default: 2500 }),
});
export type AaConfig = Infer<typeof aaSpec>;

interface Experiment {
  readonly id: string;
  readonly random: () => number;
  readonly rate: number;
  readonly controlWeight: number;
  /** Per user: 0 control, 1 treatment; and the actions taken so far. */
  readonly group: Uint8Array;
  readonly count: Uint16Array;
  /** Pending actions as (tick · 2^20 + user), a binary min-heap. */
  readonly heap: number[];
  /** Per group: triggered, volume, propensity, sum_sq. */
  readonly cells: [number, number, number, number][];
}

const GROUPS = ['control', 'treatment'] as const;

function heapPush(h: number[], v: number): void {
  let i = h.push(v) - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]! <= v) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = v;
}

function heapPop(h: number[]): number {
  const top = h[0]!;
  const last = h.pop()!;
  if (h.length) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const c = l + 1 < h.length && h[l + 1]! < h[l]! ? l + 1 : l;
      if (h[c]! >= last) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top;
}

export class AaTraffic implements SourceInstance {
  private readonly experiments: Experiment[];
  private readonly zipfCdf: Float64Array;
  private tick = 0;
  private sentMetadata = false;

  constructor(private readonly c: AaConfig) {
    const weights = Array.from({ length: c.cap }, (_, k) => (k + 1) ** -c.zipf_s);
    const total = weights.reduce((s, w) => s + w, 0);
    let acc = 0;
    this.zipfCdf = Float64Array.from(weights, (w) => (acc += w / total));
    this.experiments = Array.from({ length: c.experiments }, (_, e) => {
      const random = mulberry32(c.seed * 1_000_003 + e * 7919 + 1);
      return {
        id: `aa_${String(e).padStart(4, '0')}`, random, rate: c.min_rate + random() * (c.max_rate - c.min_rate),
        controlWeight: e % 2 === 0 ? 0.5 : 0.6, group: new Uint8Array(c.users), count: new Uint16Array(c.users), heap: [],
        cells: [[0, 0, 0, 0], [0, 0, 0, 0]],
      };
    });
  }

  /** Each experiment's propensity base rate (the truth the known-effect suite checks against). */
  rates(): Map<string, number> {
    return new Map(this.experiments.map((x) => [x.id, x.rate]));
  }

  /** E[c | active]: the mean count of an active user. */
  meanActiveCount(): number {
    let mean = 0;
    let prev = 0;
    this.zipfCdf.forEach((cdf, k) => {
      mean += (k + 1) * (cdf - prev);
      prev = cdf;
    });
    return mean;
  }

  metadata(): Row[] {
    return this.experiments.map((x) => {
      const weights = { control: x.controlWeight, treatment: 1 - x.controlWeight };
      return {
        event_id: `m-${x.id}`, experiment_id: x.id, groups: [...GROUPS], control: 'control', weights, alpha: this.c.alpha, n_star: this.c.n_star,
        actions: { [ACTION]: 'up_is_good' }, ramps: [{ ts: AA_START, weights }], effective_from: AA_START, ts: AA_START - 3_600_000, volume_cap: this.c.cap,
      };
    });
  }

  open(): Promise<void> {
    return Promise.resolve();
  }

  poll(maxRecords: number): Promise<SourceChunk[] | null> {
    if (!this.sentMetadata) {
      this.sentMetadata = true;
      const values = this.metadata();
      return Promise.resolve([{ output: 'metadata', partition: 0, values, times: values.map(() => AA_START - 3_600_000) }]);
    }
    const values: Row[] = [];
    const times: number[] = [];
    let pending = false;
    while (values.length < maxRecords) {
      pending = false;
      const t = AA_START + this.tick * this.c.tick_ms;
      for (const x of this.experiments) pending = this.step(x, t, values, times) || pending;
      this.tick++;
      if (!pending && this.tick >= this.c.users) break;
    }
    if (values.length === 0 && !pending && this.tick >= this.c.users) return Promise.resolve(null);
    return Promise.resolve([{ output: 'counts', partition: 0, values, times, watermark: AA_START + (this.tick - 1) * this.c.tick_ms }]);
  }

  /** One tick of one experiment: its new user, then the actions due. True while work remains. */
  private step(x: Experiment, t: number, values: Row[], times: number[]): boolean {
    const { c } = this;
    const tick = this.tick;
    if (tick < c.users) {
      const g = x.random() < x.controlWeight ? 0 : 1;
      const lost = g === 1 && c.srm_loss > 0 && x.random() < c.srm_loss;
      x.group[tick] = g;
      const rate = g === 1 ? x.rate * (1 + c.lift) : x.rate;
      if (!lost) {
        x.cells[g]![0]++;
        values.push(this.row(x, '_', g));
        times.push(t);
        if (x.random() < rate) {
          const u = x.random();
          let k = 0;
          while (this.zipfCdf[k]! < u && k < c.cap - 1) k++;
          for (let a = 0; a <= k; a++) heapPush(x.heap, (tick + 1 + Math.floor(-Math.log(1 - x.random()) * c.mean_delay)) * 2 ** 20 + tick);
        }
      }
    }
    while (x.heap.length && Math.floor(x.heap[0]! / 2 ** 20) <= tick) {
      const user = heapPop(x.heap) % 2 ** 20;
      const g = x.group[user]!;
      const before = x.count[user]!;
      x.count[user] = before + 1;
      const cell = x.cells[g]!;
      cell[1]++;
      cell[3] += 2 * before + 1;
      if (before === 0) cell[2]++;
      values.push(this.row(x, ACTION, g));
      times.push(t);
    }
    return x.heap.length > 0;
  }

  private row(x: Experiment, action: string, g: number): Row {
    const cell = x.cells[g]!;
    const group = GROUPS[g]!;
    const trigger = action === '_';
    return {
      row_key: countsRowKey(x.id, AA_START, 0, action, group), experiment_id: x.id, epoch_start: AA_START, segment: 0, action, group,
      volume: trigger ? null : cell[1], propensity: trigger ? null : cell[2], triggered: trigger ? cell[0] : null, sum_sq: trigger ? null : cell[3],
      watermark_ms: AA_START + (this.tick - 1) * this.c.tick_ms,
    };
  }

  position(): unknown {
    return this.tick;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export const aaTrafficSource = definePlugin({
  kind: 'source',
  name: 'aa_counts',
  summary: 'Test source: counts rows and metadata of many one-treatment experiments side by side.',
  spec: aaSpec,
  plan: () => ({ outputs: ['counts', 'metadata'] }),
  create: ({ config }) => new AaTraffic(config),
});

