/**
 * Runs one pipeline — `aa_counts` source → `experiment_stats` → tally sinks, with the
 * counts also tallied for the naive z-tests — in process on the real engine, and reduces
 * the tally to the figures the suites assert and print.
 */
import { ManualClock } from '../../core/api/index.ts';
import { builtinRegistry } from '../../core/runtime/plugins/builtins.ts';
import { compilePipeline } from '../../core/runtime/graph/index.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import type { Metric, EffectScale } from '../../plugins/operator-experiment-stats/index.ts';
import { AaTraffic, aaSpec, aaTrafficSource } from './aa-traffic.ts';
import type { AaConfig } from './aa-traffic.ts';
import { Tally, aaTallySink, tallies, METRICS, SCALES } from './aa-tally.ts';
import { parseOperatorConfig } from '../../core/testing/index.ts';

export interface RunFigures {
  readonly experiments: number;
  readonly seconds: number;
  /** Counts updates read per experiment (trigger rows + action rows): median, min. */
  readonly looksPerExperiment: { median: number; min: number };
  /** Action-row looks per test (reads) and those past the gate (computed), medians. */
  readonly looksPerTest: { reads: number; computed: number };
  /** By `${metric}/${scale}`. */
  readonly tests: Record<string, {
    alarmRate: number; naiveRate: number; missRate: number;
    /** Bonferroni over a budget of K = 100 looks: alarms within the budget, and when reading on past it. */
    bonferroniInBudget: number; bonferroniAnyLook: number;
    medianLooksToDetect: number | null; medianUsersToDetect: number | null; computedShare: number;
  }>;
  readonly srm: { alarmRate: number; medianReads: number };
  readonly alerts: { harm: number; srm: number; distinctIds: number };
  readonly deadLetters: number;
  readonly late: number;
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** SE of an alarm rate at α over n independent tests. */
export const alarmSe = (alpha: number, n: number): number => Math.sqrt((alpha * (1 - alpha)) / n);

export async function runAa(name: string, options: Partial<AaConfig>): Promise<RunFigures> {
  const config = parseOperatorConfig({ name: 'aa_counts', spec: aaSpec } as never, options) as AaConfig;
  const model = new AaTraffic(config);
  const rates = model.rates();
  const meanCount = model.meanActiveCount();
  const tally = new Tally();
  tally.truth = (id: string, metric: Metric) => {
    const p = rates.get(id)!;
    const perUser = metric === 'propensity' ? p : p * meanCount;
    return { absolute: perUser * config.lift, relative: config.lift };
  };
  tallies.set(name, tally);
  const registry = (await builtinRegistry()).clone();
  for (const [definition, exportName] of [[aaTrafficSource, 'aaTrafficSource'], [aaTallySink, 'aaTallySink']] as const) {
    registry.tryRegister({ definition, package: 'test', version: '0.0.0', module: 'test/long', exportName });
  }
  const text = `
name: ${name}
sources:
  traffic:
    aa_counts: ${JSON.stringify(options)}
    event_time: { max_out_of_orderness: 0s }
operators:
  stats:
    input: [traffic.counts, traffic.metadata]
    experiment_stats: { allowed_lateness: 10m, metadata_max_wait: 1h }
sinks:
  stats_tally:
    input: stats
    aa_tally: { name: ${name}, role: stats }
  alerts_tally:
    input: stats.alerts
    aa_tally: { name: ${name}, role: alerts }
  counts_tally:
    input: traffic.counts
    aa_tally: { name: ${name}, role: counts }
`;
  const compiled = compilePipeline({ file: `${name}.yaml`, text, env: {}, plugins: registry });
  const errors = compiled.issues.filter((i) => i.severity === 'error');
  if (!compiled.pipeline || errors.length) throw new Error(compiled.issues.map((i) => `${i.line}:${i.col} ${i.message}`).join('\n'));
  const started = process.hrtime.bigint();
  const result = await runJob(compiled.pipeline, { clock: new ManualClock(0), checkpoint: { store: null }, restart: { maxAttempts: 0 }, idlePollMs: 0 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 'finished') throw new Error(`run ${result.status}: ${result.error?.message ?? ''}`);
  tallies.delete(name);
  return figures(tally, config, seconds, result.stages.stats?.deadLettered ?? 0, result.stages.stats?.late ?? 0);
}

function figures(tally: Tally, config: AaConfig, seconds: number, deadLetters: number, late: number): RunFigures {
  const ids = [...tally.srm.keys()];
  const perExperiment = ids.map((id) => tally.srm.get(id)!.reads + tally.test(id, 'volume', 'absolute').reads);
  const tests: RunFigures['tests'] = {};
  for (const metric of METRICS) {
    for (const scale of SCALES) {
      const list = ids.map((id) => [id, tally.test(id, metric as Metric, scale as EffectScale)] as const);
      const detected = list.filter(([, t]) => t.firstAlarmLook > 0);
      tests[`${metric}/${scale}`] = {
        alarmRate: detected.length / list.length,
        naiveRate: list.filter(([, t]) => t.naiveAlarm).length / list.length,
        bonferroniInBudget: list.filter(([, t]) => t.bonferroniInBudget).length / list.length,
        bonferroniAnyLook: list.filter(([, t]) => t.bonferroniAnyLook).length / list.length,
        missRate: list.filter(([, t]) => t.missedTruth).length / list.length,
        medianLooksToDetect: detected.length ? median(detected.map(([, t]) => t.firstAlarmLook)) : null,
        medianUsersToDetect: detected.length ? median(detected.map(([id, t]) => tally.usersAtLook.get(id)![t.firstAlarmLook - 1]!)) : null,
        computedShare: list.filter(([, t]) => t.computed > 0).length / list.length,
      };
    }
  }
  return {
    experiments: ids.length,
    seconds,
    looksPerExperiment: { median: median(perExperiment), min: Math.min(...perExperiment) },
    looksPerTest: {
      reads: median(ids.map((id) => tally.test(id, 'volume', 'absolute').reads)),
      computed: median(ids.map((id) => tally.test(id, 'propensity', 'absolute').computed)),
    },
    tests,
    srm: { alarmRate: ids.filter((id) => tally.srm.get(id)!.p <= config.alpha).length / ids.length, medianReads: median(ids.map((id) => tally.srm.get(id)!.reads)) },
    alerts: { harm: tally.alerts.harm, srm: tally.alerts.srm, distinctIds: tally.alerts.ids.size },
    deadLetters,
    late,
  };
}
