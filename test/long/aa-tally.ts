/**
 * `aa_tally`: a test sink that folds, as they stream by, what the validity suites measure —
 * nothing is kept per record. Role `stats` reads the stats rows of `experiment_stats`
 * (alarms of the always-valid intervals, coverage of a known truth, looks), role `alerts`
 * counts alerts, role `counts` re-reads the counts rows to run naive fixed-horizon z-tests
 * at the same looks (the positive control) and to note the users at each look.
 */
import { definePlugin, field } from '../../core/api/index.ts';
import type { Batch, Row, SinkInstance } from '../../core/api/index.ts';
import { estimateEffect, gateReason, summarizeArm } from '../../plugins/operator-experiment-stats/index.ts';
import type { EffectScale, GroupMoments, Metric } from '../../plugins/operator-experiment-stats/index.ts';

const Z_975 = 1.959963984540054;
/**
 * Pinterest's first version: a test per look at α/K, Bonferroni over a budget of K looks.
 * K = 100 at α = 0.05: |z| > Φ⁻¹(1 − 0.05/200) = 3.4807564.
 */
export const BONFERRONI_BUDGET = 100;
const Z_BONFERRONI = 3.480756404;
export const METRICS: readonly Metric[] = ['volume', 'propensity'];
export const SCALES: readonly EffectScale[] = ['absolute', 'relative'];

/** One (experiment, metric, scale) test as seen over the whole run. */
export interface TestTally {
  /** Looks read (stats rows of the test). */
  reads: number;
  /** Looks at which this scale was computed (past the gate). */
  computed: number;
  /** Look (reads) of the first interval excluding 0; 0 when never. */
  firstAlarmLook: number;
  /** The interval excluded the truth at some look. */
  missedTruth: boolean;
  /** Naive |z| > 1.96 at some look where the test was computed. */
  naiveAlarm: boolean;
  naiveLooks: number;
  /** Bonferroni over K looks: an alarm within the first K looks (its budget), and at any look. */
  bonferroniInBudget: boolean;
  bonferroniAnyLook: boolean;
}

export interface Truth {
  /** True value of the absolute difference and of the relative lift. */
  (experimentId: string, metric: Metric): { absolute: number; relative: number };
}

export class Tally {
  readonly tests = new Map<string, TestTally>();
  readonly srm = new Map<string, { p: number; reads: number }>();
  readonly alerts = { harm: 0, srm: 0, ids: new Set<string>() };
  /** Users triggered (both groups) at each action look, per experiment. */
  readonly usersAtLook = new Map<string, number[]>();
  private readonly moments = new Map<string, [GroupMoments, GroupMoments]>();
  truth: Truth = () => ({ absolute: 0, relative: 0 });

  test(experimentId: string, metric: Metric, scale: EffectScale): TestTally {
    const key = `${experimentId}|${metric}|${scale}`;
    let t = this.tests.get(key);
    if (!t) this.tests.set(key, (t = { reads: 0, computed: 0, firstAlarmLook: 0, missedTruth: false, naiveAlarm: false, naiveLooks: 0, bonferroniInBudget: false, bonferroniAnyLook: false }));
    return t;
  }

  stats(row: Row): void {
    const id = row.experiment_id as string;
    if (row.metric === 'srm') {
      this.srm.set(id, { p: row.srm_p as number, reads: row.looks as number });
      return;
    }
    const metric = row.metric as Metric;
    const truth = this.truth(id, metric);
    for (const scale of SCALES) {
      const [lo, hi] = scale === 'absolute' ? [row.lo, row.hi] : [row.lift_lo, row.lift_hi];
      const t = this.test(id, metric, scale);
      t.reads = row.looks as number;
      if (typeof lo !== 'number' || typeof hi !== 'number') continue;
      t.computed++;
      if (t.firstAlarmLook === 0 && (lo > 0 || hi < 0)) t.firstAlarmLook = t.reads;
      const value = truth[scale];
      if (value < lo || value > hi) t.missedTruth = true;
    }
  }

  alert(row: Row): void {
    if (row.kind === 'harm') this.alerts.harm++;
    else this.alerts.srm++;
    this.alerts.ids.add(row.alert_id as string);
  }

  counts(row: Row): void {
    const id = row.experiment_id as string;
    let m = this.moments.get(id);
    if (!m) this.moments.set(id, (m = [{ n: 0, s1: 0, s2: 0, k: 0 }, { n: 0, s1: 0, s2: 0, k: 0 }]));
    const g = m[row.group === 'control' ? 0 : 1];
    if (row.action === '_') {
      g.n = row.triggered as number;
      return;
    }
    g.s1 = row.volume as number;
    g.k = row.propensity as number;
    g.s2 = row.sum_sq as number;
    let users = this.usersAtLook.get(id);
    if (!users) this.usersAtLook.set(id, (users = []));
    users.push(m[0].n + m[1].n);
    for (const metric of METRICS) {
      const c = summarizeArm(m[0], metric);
      const t = summarizeArm(m[1], metric);
      for (const scale of SCALES) {
        if (gateReason(t, c, metric, scale)) continue;
        const effect = estimateEffect(t, c, scale);
        if ('notComputable' in effect) continue;
        const tally = this.test(id, metric, scale);
        tally.naiveLooks++;
        const z = Math.abs(effect.delta) / Math.sqrt(effect.variance);
        if (z > Z_975) tally.naiveAlarm = true;
        if (z > Z_BONFERRONI) {
          tally.bonferroniAnyLook = true;
          if (tally.naiveLooks <= BONFERRONI_BUDGET) tally.bonferroniInBudget = true;
        }
      }
    }
  }
}

export const tallies = new Map<string, Tally>();

class TallySink implements SinkInstance {
  constructor(private readonly tally: Tally, private readonly role: 'stats' | 'alerts' | 'counts') {}
  open(): Promise<void> {
    return Promise.resolve();
  }
  write(batch: Batch): Promise<void> {
    const { values } = batch;
    const fold = this.role === 'stats' ? this.tally.stats.bind(this.tally) : this.role === 'alerts' ? this.tally.alert.bind(this.tally) : this.tally.counts.bind(this.tally);
    for (let i = 0; i < batch.length; i++) fold(values[i]!);
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export const aaTallySink = definePlugin({
  kind: 'sink',
  name: 'aa_tally',
  summary: 'Test sink: folds stats rows, alerts or counts rows into a named tally.',
  spec: field.object({
    name: field.string({ doc: 'Tally name in `tallies`.' }),
    role: field.enum(['stats', 'alerts', 'counts'] as const, { doc: 'What the input is.' }),
  }),
  create({ config }) {
    const tally = tallies.get(config.name);
    if (!tally) throw new Error(`no tally '${config.name}'`);
    return new TallySink(tally, config.role);
  },
});
