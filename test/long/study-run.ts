/**
 * Runs the flagship's operator chain — pipelines/experiment_analytics.yaml's `operators`,
 * verbatim: dedupe → broadcast → first_trigger → filter → map → experiment_user_counts (the
 * join and the per-user counts) → experiment_counts → experiment_stats — in ONE in-process run on the real engine, with
 * the `experiment_traffic` generator in study mode as its `traffic` source and tally sinks
 * that read every counts row, every stats row and every alert as they stream by. Reduces
 * the tally to the figures the suites assert and print.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { ManualClock } from '../../core/api/index.ts';
import { compilePipeline } from '../../core/runtime/graph/index.ts';
import { registryForPipelines } from '../../core/runtime/plugins/index.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import type { EffectScale, Metric } from '../../plugins/experiment-analytics/stats/index.ts';
import { TrafficGenerator } from '../../plugins/experiment-analytics/traffic/generator.ts';
import { trafficConfig } from '../../plugins/experiment-analytics/traffic/test-config.ts';
import { OutputCounter, Tally, METRICS, SCALES } from './aa-tally.ts';

const root = join(import.meta.dirname, '..', '..');
export const FLAGSHIP_FILE = join(root, 'pipelines', 'experiment_analytics.yaml');

/** The shipped pipeline with the generator config replaced and the sinks replaced by tallies. */
export function studyPipelineText(traffic: Record<string, unknown>): string {
  const doc = parseDocument(readFileSync(FLAGSHIP_FILE, 'utf8'));
  doc.setIn(['sources', 'traffic', 'experiment_traffic'], doc.createNode(traffic));
  doc.delete('profiles');
  // Sinks are overridden by tally instances at run time; the declared ones only name the inputs.
  doc.set('sinks', doc.createNode({
    counts_tally: { input: 'counts', file: { path: '/dev/null' } },
    stats_tally: { input: 'stats', file: { path: '/dev/null' } },
    alerts_tally: { input: 'stats.alerts', file: { path: '/dev/null' } },
  }));
  doc.set('late', doc.createNode({ file: { path: '/dev/null' } }));
  doc.set('dead_letter', doc.createNode({ file: { path: '/dev/null' } }));
  return doc.toString();
}

export interface Distribution {
  readonly n: number;
  readonly median: number | null;
  readonly p90: number | null;
}

export interface TestFigures {
  /** Tests (experiment, action) of this metric and scale. */
  readonly tests: number;
  /** Share whose always-valid interval excluded 0 at some look (A/A: alarm rate; else power). */
  readonly alarmRate: number;
  /** Share of naive |z| > 1.96 at some look (every look where z is defined; no gate). */
  readonly naiveRate: number;
  /** The same, counting only the looks past the always-valid test's gate. */
  readonly naiveGatedRate: number;
  /** Share whose interval contained the truth at every computed look. */
  readonly coverage: number;
  /** Share that passed the gate at some look. */
  readonly computedShare: number;
  /** Among the tests that alarmed: the test's looks, and the users triggered, at the first alarm. */
  readonly looksToDetect: Distribution;
  readonly usersToDetect: Distribution;
}

export interface StudyFigures {
  readonly experiments: number;
  readonly seconds: number;
  readonly recordsIn: number;
  /** Counts updates read per experiment (trigger rows + action rows). */
  readonly looksPerExperiment: { median: number; min: number };
  /** Stats rows read per (experiment, action, metric) test and those past the gate (medians). */
  readonly looksPerTest: { reads: number; computed: number };
  /** By `${metric}/${scale}`, over the experiments `select` keeps. */
  readonly tests: Record<string, TestFigures>;
  /** Sequential SRM: alarm rate (p ≤ α at the end), naive repeated chi-square, looks (median). */
  readonly srm: { alarmRate: number; naiveRate: number; medianReads: number; looksToDetect: Distribution };
  readonly alerts: { harm: number; srm: number; distinctIds: number; harmByAction: Record<string, number> };
  readonly late: Record<string, number>;
  readonly deadLetters: Record<string, number>;
}

function distribution(xs: number[]): Distribution {
  if (xs.length === 0) return { n: 0, median: null, p90: null };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { n: s.length, median: q(0.5), p90: q(0.9) };
}

const median = (xs: number[]): number => distribution(xs).median ?? Number.NaN;

/** SE of an alarm rate at α over n independent tests. */
export const alarmSe = (alpha: number, n: number): number => Math.sqrt((alpha * (1 - alpha)) / n);

export interface StudyRun {
  readonly tally: Tally;
  readonly generator: TrafficGenerator;
  readonly seconds: number;
  readonly recordsIn: number;
  readonly late: OutputCounter;
  readonly deadLetter: OutputCounter;
}

/** Runs the chain once over the generator config `traffic` (which must set `study`). */
export async function runStudy(name: string, traffic: Record<string, unknown>, alpha = 0.05): Promise<StudyRun> {
  const config = trafficConfig(traffic);
  if (!config.study) throw new Error('the traffic config must set `study`');
  // A second generator answers the truth (rates, the count's mean) without touching the run's.
  const generator = new TrafficGenerator(config);
  const study = generator.model.study!;
  const mean = study.activeMean;
  const tally = new Tally((id, action, metric) => {
    const k = Number(id.slice(4));
    const c = study.rate(k, action, false);
    const t = study.rate(k, action, true);
    const perUser = metric === 'propensity' ? 1 : mean;
    return { absolute: (t - c) * perUser, relative: t / c - 1 };
  }, alpha);
  const env = { ...process.env, RUN_ID: name };
  const file = join(root, 'test', 'long', `${name}.yaml`);
  const { registry } = await registryForPipelines([FLAGSHIP_FILE], { cwd: root, env });
  const compiled = compilePipeline({ file, text: studyPipelineText(traffic), env, plugins: registry });
  const errors = compiled.issues.filter((i) => i.severity === 'error');
  if (!compiled.pipeline || errors.length) throw new Error(compiled.issues.map((i) => `${i.line}:${i.col} ${i.message}`).join('\n'));
  const late = new OutputCounter();
  const deadLetter = new OutputCounter();
  const started = process.hrtime.bigint();
  const result = await runJob(compiled.pipeline, {
    clock: new ManualClock(0), checkpoint: { store: null }, restart: { maxAttempts: 0 }, idlePollMs: 0,
    // Upsert compaction stays on (looks are per changed counts row, as in production), held at
    // most 1 ms instead of 100 ms: the looks per experiment then depend little on how fast the
    // machine runs, and the naive positive control keeps enough looks to show what peeking does.
    miniBatch: { maxDelayMs: 1 },
    overrides: {
      sinks: { counts_tally: () => tally.sink('counts'), stats_tally: () => tally.sink('stats'), alerts_tally: () => tally.sink('alerts') },
      late: () => late.sink(),
      deadLetter: () => deadLetter.sink(),
    },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 'finished') throw new Error(`run ${result.status}: ${result.error?.message ?? ''}`);
  return { tally, generator, seconds, recordsIn: result.recordsIn, late, deadLetter };
}

/**
 * The figures over the tests `selectTest` keeps (by experiment number and action) and, for
 * looks and SRM, the experiments `selectExperiment` keeps. Alerts and late/dead letters are
 * the run's.
 */
export function figures(
  run: StudyRun, alpha: number,
  selectTest: (k: number, action: string) => boolean = () => true,
  selectExperiment: (k: number) => boolean = () => true,
): StudyFigures {
  const { tally } = run;
  const study = run.generator.model.study!;
  const all = [...tally.srm.keys()];
  const ids = all.filter((id) => selectExperiment(Number(id.slice(4))));
  const pairs = all.flatMap((id) => study.actions.filter((a) => selectTest(Number(id.slice(4)), a)).map((a) => [id, a] as const));
  const tests: Record<string, TestFigures> = {};
  for (const metric of METRICS) {
    for (const scale of SCALES) {
      const list = pairs.map(([id, a]) => [id, a, tally.test(id, a, metric as Metric, scale as EffectScale)] as const);
      const detected = list.filter(([, , t]) => t.firstAlarmLook > 0);
      tests[`${metric}/${scale}`] = {
        tests: list.length,
        alarmRate: detected.length / list.length,
        naiveRate: list.filter(([, , t]) => t.naiveAnyLook).length / list.length,
        naiveGatedRate: list.filter(([, , t]) => t.naiveAlarm).length / list.length,
        coverage: list.filter(([, , t]) => !t.missedTruth).length / list.length,
        computedShare: list.filter(([, , t]) => t.computed > 0).length / list.length,
        looksToDetect: distribution(detected.map(([, , t]) => t.firstAlarmLook)),
        usersToDetect: distribution(detected.map(([id, a, t]) => tally.usersAtLook.get(`${id}|${a}`)![t.firstAlarmLook - 1]!)),
      };
    }
  }
  const looks = ids.map((id) => tally.looks.get(id) ?? 0);
  const perTest = pairs.map(([id, a]) => tally.test(id, a, 'volume', 'absolute'));
  return {
    experiments: ids.length,
    seconds: run.seconds,
    recordsIn: run.recordsIn,
    looksPerExperiment: { median: median(looks), min: Math.min(...looks) },
    looksPerTest: { reads: median(perTest.map((t) => t.reads)), computed: median(pairs.map(([id, a]) => tally.test(id, a, 'propensity', 'absolute').computed)) },
    tests,
    srm: {
      alarmRate: ids.filter((id) => tally.srm.get(id)!.p <= alpha).length / ids.length,
      naiveRate: ids.filter((id) => tally.srm.get(id)!.naiveAlarm).length / ids.length,
      medianReads: median(ids.map((id) => tally.srm.get(id)!.reads)),
      looksToDetect: distribution(ids.map((id) => tally.srm.get(id)!.firstAlarmLook).filter((x) => x > 0)),
    },
    alerts: { harm: tally.alerts.harm, srm: tally.alerts.srm, distinctIds: tally.alerts.ids.size, harmByAction: Object.fromEntries(tally.alerts.harmByAction) },
    late: Object.fromEntries(run.late.byReason),
    deadLetters: Object.fromEntries(run.deadLetter.byReason),
  };
}

/** Human-readable lines for `t.diagnostic`. */
export function describe(f: StudyFigures, bound: number | undefined): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const dist = (d: Distribution) => (d.n ? `median ${d.median}, p90 ${d.p90}` : 'none');
  const lines = [
    `run: ${f.seconds.toFixed(1)} s, ${f.recordsIn} records in, ${f.experiments} experiments; looks per experiment median ${f.looksPerExperiment.median} (min ${f.looksPerExperiment.min}); ` +
      `per test: ${f.looksPerTest.reads} looks read, ${f.looksPerTest.computed} past the gate (medians)`,
  ];
  for (const [name, x] of Object.entries(f.tests)) {
    lines.push(`${name} (${x.tests} tests): always-valid ${pct(x.alarmRate)}${bound === undefined ? '' : ` (bound ${pct(bound)})`}, naive ${pct(x.naiveRate)} (past the gate ${pct(x.naiveGatedRate)}), ` +
      `coverage at all looks ${pct(x.coverage)}, ever past the gate ${pct(x.computedShare)}; ` +
      `time to detect: looks ${dist(x.looksToDetect)}; users ${dist(x.usersToDetect)}`);
  }
  lines.push(`srm: sequential ${pct(f.srm.alarmRate)} over a median of ${f.srm.medianReads} looks (first alarm: trigger looks ${dist(f.srm.looksToDetect)}), naive repeated chi-square ${pct(f.srm.naiveRate)}; ` +
    `alerts: ${f.alerts.harm} harm ${JSON.stringify(f.alerts.harmByAction)}, ${f.alerts.srm} srm (${f.alerts.distinctIds} ids); late ${JSON.stringify(f.late)}; dead letters ${JSON.stringify(f.deadLetters)}`);
  return lines;
}
