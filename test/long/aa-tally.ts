/**
 * What the validity suites measure, folded as the rows stream by (nothing is kept per
 * record beyond the users at each look). Three sink instances feed one `Tally`:
 * - `stats`: the rows of `experiment_stats` — alarms of the always-valid intervals, coverage
 *   of a known truth, looks read, the sequential SRM p-value;
 * - `alerts`: the alerts;
 * - `counts`: the counts upsert stream of `experiment_counts` — each row is one look of its
 *   experiment; action rows re-run naive fixed-horizon z-tests on the same looks (the
 *   positive control: at every look where z is defined, and only past the gate) and note the users triggered at each look; trigger rows run a naive
 *   repeated chi-square (one degree of freedom) of the split against 50/50.
 */
import type { Batch, Row, SinkInstance } from '../../core/api/index.ts';
import { estimateEffect, gateReason, summarizeArm } from '../../plugins/experiment-analytics/stats/index.ts';
import type { EffectScale, GroupMoments, Metric } from '../../plugins/experiment-analytics/stats/index.ts';

const Z_975 = 1.959963984540054;
export const METRICS: readonly Metric[] = ['volume', 'propensity'];
export const SCALES: readonly EffectScale[] = ['absolute', 'relative'];

/** One (experiment, action, metric, scale) test over the whole run. */
export interface TestTally {
  /** Looks read (stats rows of the test). */
  reads: number;
  /** Looks at which this scale was computed (past the gate). */
  computed: number;
  /** Look (reads) of the first interval excluding 0; 0 when never. */
  firstAlarmLook: number;
  /** The interval excluded the truth at some computed look. */
  missedTruth: boolean;
  /** Naive |z| > 1.96 at some look where the always-valid test was computed (past the gate). */
  naiveAlarm: boolean;
  /** Naive |z| > 1.96 at some look where z is defined at all (no minimum-sample gate). */
  naiveAnyLook: boolean;
}

/** True absolute difference and relative lift of (experiment, action, metric). */
export type Truth = (experimentId: string, action: string, metric: Metric) => { absolute: number; relative: number };

export class Tally {
  readonly tests = new Map<string, TestTally>();
  /** Per experiment: sequential SRM p-value (running minimum), looks, the look of the first p ≤ α (0: none). */
  readonly srm = new Map<string, { p: number; reads: number; naiveAlarm: boolean; firstAlarmLook: number }>();
  readonly alerts = { harm: 0, srm: 0, ids: new Set<string>(), harmByAction: new Map<string, number>() };
  /** Counts updates (looks) per experiment. */
  readonly looks = new Map<string, number>();
  /** Users triggered (both groups) at each action look, per `${experiment}|${action}`. */
  readonly usersAtLook = new Map<string, number[]>();
  /** Triggered users per experiment: [control, treatment]. */
  private readonly triggered = new Map<string, [number, number]>();
  private readonly moments = new Map<string, [GroupMoments, GroupMoments]>();

  constructor(private readonly truth: Truth, private readonly alpha = 0.05) {}

  test(experimentId: string, action: string, metric: Metric, scale: EffectScale): TestTally {
    const key = `${experimentId}|${action}|${metric}|${scale}`;
    let t = this.tests.get(key);
    if (!t) this.tests.set(key, (t = { reads: 0, computed: 0, firstAlarmLook: 0, missedTruth: false, naiveAlarm: false, naiveAnyLook: false }));
    return t;
  }

  private srmOf(id: string): { p: number; reads: number; naiveAlarm: boolean; firstAlarmLook: number } {
    let s = this.srm.get(id);
    if (!s) this.srm.set(id, (s = { p: 1, reads: 0, naiveAlarm: false, firstAlarmLook: 0 }));
    return s;
  }

  stats(row: Row): void {
    const id = row.experiment_id as string;
    if (row.metric === 'srm') {
      const s = this.srmOf(id);
      if (typeof row.srm_p === 'number') s.p = row.srm_p;
      s.reads = row.looks as number;
      if (s.firstAlarmLook === 0 && s.p <= this.alpha) s.firstAlarmLook = s.reads;
      return;
    }
    const metric = row.metric as Metric;
    const action = row.action as string;
    const truth = this.truth(id, action, metric);
    for (const scale of SCALES) {
      const [lo, hi] = scale === 'absolute' ? [row.lo, row.hi] : [row.lift_lo, row.lift_hi];
      const t = this.test(id, action, metric, scale);
      t.reads = row.looks as number;
      if (typeof lo !== 'number' || typeof hi !== 'number') continue;
      t.computed++;
      if (t.firstAlarmLook === 0 && (lo > 0 || hi < 0)) t.firstAlarmLook = t.reads;
      const value = truth[scale];
      if (value < lo || value > hi) t.missedTruth = true;
    }
  }

  alert(row: Row): void {
    if (row.kind === 'harm') {
      this.alerts.harm++;
      this.alerts.harmByAction.set(String(row.action), (this.alerts.harmByAction.get(String(row.action)) ?? 0) + 1);
    } else this.alerts.srm++;
    this.alerts.ids.add(row.alert_id as string);
  }

  counts(row: Row): void {
    const id = row.experiment_id as string;
    this.looks.set(id, (this.looks.get(id) ?? 0) + 1);
    let n = this.triggered.get(id);
    if (!n) this.triggered.set(id, (n = [0, 0]));
    const g = row.group === 'control' ? 0 : 1;
    if (row.action === '_') {
      n[g] = row.triggered as number;
      const total = n[0] + n[1];
      // Naive chi-square of the split against 50/50 at every trigger look (1 d.f.: |z| > 1.96).
      if (total > 0 && Math.abs(n[1] - total / 2) / Math.sqrt(total / 4) > Z_975) this.srmOf(id).naiveAlarm = true;
      return;
    }
    const action = row.action as string;
    const key = `${id}|${action}`;
    let m = this.moments.get(key);
    if (!m) this.moments.set(key, (m = [{ n: 0, s1: 0, s2: 0, k: 0 }, { n: 0, s1: 0, s2: 0, k: 0 }]));
    const arm = m[g];
    arm.s1 = row.volume as number;
    arm.k = row.propensity as number;
    arm.s2 = row.sum_sq as number;
    m[0].n = n[0];
    m[1].n = n[1];
    let users = this.usersAtLook.get(key);
    if (!users) this.usersAtLook.set(key, (users = []));
    users.push(n[0] + n[1]);
    for (const metric of METRICS) {
      const c = summarizeArm(m[0], metric);
      const t = summarizeArm(m[1], metric);
      for (const scale of SCALES) {
        const effect = estimateEffect(t, c, scale);
        if ('notComputable' in effect || !(Math.abs(effect.delta) / Math.sqrt(effect.variance) > Z_975)) continue;
        const tally = this.test(id, action, metric, scale);
        tally.naiveAnyLook = true;
        if (!gateReason(t, c, metric, scale)) tally.naiveAlarm = true;
      }
    }
  }

  /** A sink instance folding its input into this tally. */
  sink(role: 'stats' | 'alerts' | 'counts'): SinkInstance {
    const fold = role === 'stats' ? (r: Row) => this.stats(r) : role === 'alerts' ? (r: Row) => this.alert(r) : (r: Row) => this.counts(r);
    return {
      open: () => Promise.resolve(),
      write(batch: Batch): Promise<void> {
        const { values, kinds } = batch;
        for (let i = 0; i < batch.length; i++) if (kinds?.[i] !== 'delete') fold(values[i]!);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
  }
}

/** Counts what reaches the late or dead-letter output, by operator and reason. */
export class OutputCounter {
  readonly byReason = new Map<string, number>();
  total = 0;

  sink(): SinkInstance {
    return {
      open: () => Promise.resolve(),
      write: (batch: Batch): Promise<void> => {
        for (let i = 0; i < batch.length; i++) {
          const v = batch.values[i]!;
          const key = `${String(v.operator)}/${String(v.reason)}`;
          this.byReason.set(key, (this.byReason.get(key) ?? 0) + 1);
          this.total++;
        }
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
  }
}
