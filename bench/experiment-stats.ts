/**
 * Micro benchmark of the `experiment_stats` operator alone: a fixed synthetic counts stream
 * (an upsert stream like `experiment_counts` writes it) pushed through the operator host in
 * batches of 1024, outputs dropped after each batch. Reports counts updates (looks) per
 * second, the median of `--runs` runs, each on a fresh operator.
 *
 *   node bin/run-ts.mjs bench/experiment-stats.ts [--updates 400000] [--runs 3] [--input counts.jsonl --metadata metadata.jsonl]
 *
 * `experimentStats` is the same measurement as a `Scenario` run (`events` = counts updates),
 * for `scenarios.ts`.
 *
 * The synthetic stream: 30 experiments of one segment each, 1–3 treatments, six actions
 * (impressions most frequent), one new triggered user for every ~9 actions, per-user
 * activity Zipf-like, so each update is one look as in the flagship job. `--input` replays a
 * captured counts stream instead (JSON lines as the file sink writes them, with `op`),
 * `--metadata` the experiments' metadata records.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { APPEND_ONLY } from '../core/api/index.ts';
import type { ChangeKind, Row } from '../core/api/index.ts';
import { OperatorTestHarness } from '../core/testing/index.ts';
import type { OperatorPlugin, TestRecord } from '../core/testing/index.ts';
import { countsRowKey } from '../plugins/experiment-analytics/model/index.ts';
import { experimentStatsPlugin } from '../plugins/experiment-analytics/stats/index.ts';
import { Measure } from './measure.ts';
import type { RunResult, ScenarioOptions } from './scenario.ts';

const BATCH = 1024;
const START = 1_767_225_600_000;
const ACTIONS: readonly [string, string, number][] = [
  ['impression', 'none', 0.55], ['click', 'up_is_good', 0.2], ['search', 'up_is_good', 0.12],
  ['save', 'up_is_good', 0.07], ['share', 'up_is_good', 0.035], ['hide', 'down_is_good', 0.025],
];

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Stream {
  readonly metadata: TestRecord[];
  readonly counts: TestRecord[];
}

/** The fixed synthetic stream (seeded): metadata first, then `updates` counts rows. */
function synthetic(updates: number, seed = 20261127): Stream {
  const random = mulberry32(seed);
  const experiments = Array.from({ length: 30 }, (_, e) => {
    const treatments = 1 + Math.floor(random() * 3);
    const groups = ['control', ...Array.from({ length: treatments }, (_, t) => (treatments === 1 ? 'treatment' : `treatment_${t + 1}`))];
    const weights = Object.fromEntries(groups.map((g) => [g, 1 / groups.length]));
    const id = `exp_${String(e).padStart(4, '0')}`;
    return {
      id, groups, epochStart: START,
      // per group: triggered users, and per action [volume, propensity, sum_sq] and each user's count
      triggered: groups.map(() => 0),
      cells: groups.map(() => ACTIONS.map(() => [0, 0, 0] as [number, number, number])),
      users: groups.map(() => ACTIONS.map(() => [] as number[])),
      meta: {
        event_id: `m-${id}`, experiment_id: id, groups, control: 'control', weights, alpha: 0.05, n_star: 2500,
        actions: Object.fromEntries(ACTIONS.map(([a, d]) => [a, d])), ramps: [{ ts: START, weights }], effective_from: START, ts: START - 3_600_000,
      } as Row,
    };
  });
  const metadata = experiments.map((x) => ({ value: x.meta, time: START - 3_600_000 }));
  const counts: TestRecord[] = [];
  const seen = new Set<string>();
  const kindOf = (rowKey: string): ChangeKind => (seen.has(rowKey) ? 'update' : (seen.add(rowKey), 'insert'));
  for (let i = 0; i < updates; i++) {
    const x = experiments[Math.floor(random() * experiments.length)]!;
    const g = Math.floor(random() * x.groups.length);
    const group = x.groups[g]!;
    const time = START + i;
    if (x.triggered[g] === 0 || random() < 0.1) {
      const triggered = ++x.triggered[g]!;
      const row_key = countsRowKey(x.id, x.epochStart, 0, '_', group);
      counts.push({ value: { row_key, experiment_id: x.id, epoch_start: x.epochStart, segment: 0, action: '_', group, volume: null, propensity: null, triggered, sum_sq: null, watermark_ms: 0 }, time, kind: kindOf(row_key) });
      continue;
    }
    let u = random();
    let a = 0;
    while (a < ACTIONS.length - 1 && u >= ACTIONS[a]![2]) u -= ACTIONS[a++]![2];
    const action = ACTIONS[a]![0];
    // Zipf-like activity: low user indices act far more often.
    const user = Math.min(x.triggered[g]! - 1, Math.floor(x.triggered[g]! * random() ** 3));
    const perUser = x.users[g]![a]!;
    const c = perUser[user] ?? 0;
    perUser[user] = c + 1;
    const cell = x.cells[g]![a]!;
    cell[0] += 1;
    cell[2] += 2 * c + 1;
    if (c === 0) cell[1] += 1;
    const row_key = countsRowKey(x.id, x.epochStart, 0, action, group);
    counts.push({ value: { row_key, experiment_id: x.id, epoch_start: x.epochStart, segment: 0, action, group, volume: cell[0], propensity: cell[1], triggered: null, sum_sq: cell[2], watermark_ms: 0 }, time, kind: kindOf(row_key) });
  }
  return { metadata, counts };
}

/** A captured stream: metadata records and counts rows as the file sink wrote them. */
function captured(countsFile: string, metadataFile: string, updates: number): Stream {
  const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Row);
  const metadata = lines(metadataFile).map((value) => ({ value, time: (value.ts as number) ?? 0 }));
  const counts = lines(countsFile).slice(0, updates).map((row, i) => {
    const { op, ...value } = row;
    return { value, time: (value.epoch_start as number) + i, kind: (op as ChangeKind) ?? 'insert' };
  });
  return { metadata, counts };
}

function runOnce(plugin: OperatorPlugin, stream: Stream, digest?: ReturnType<typeof createHash>): { updates: number; seconds: number; emitted: number } {
  const inputs = [{ changelog: { mode: 'upsert' as const, key: ['row_key'] }, allowedLateness: 600_000 }, { changelog: APPEND_ONLY, allowedLateness: 0 }];
  const h = OperatorTestHarness.for(plugin, {}, { inputs });
  h.push(stream.metadata, 1);
  const batches: TestRecord[][] = [];
  for (let i = 0; i < stream.counts.length; i += BATCH) batches.push(stream.counts.slice(i, i + BATCH));
  let emitted = 0;
  const started = performance.now();
  for (const batch of batches) {
    h.push(batch, 0);
    emitted += h.output().length + h.namedOutput('alerts').length;
    if (digest) for (const r of [...h.output(), ...h.namedOutput('alerts')]) digest.update(JSON.stringify([r.kind, r.time, r.value]));
    h.clearOutputs();
  }
  const seconds = (performance.now() - started) / 1000;
  return { updates: stream.counts.length, seconds, emitted };
}

/** The synthetic stream's updates through a fresh operator, as one benchmark run. */
export function experimentStats({ events }: ScenarioOptions): Promise<RunResult> {
  const stream = synthetic(events);
  const m = new Measure();
  m.start();
  const { updates, emitted } = runOnce(experimentStatsPlugin, stream);
  return Promise.resolve({ ...m.stop(), events: updates, records_out: emitted, driver: 'micro' });
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      updates: { type: 'string', default: '400000' },
      runs: { type: 'string', default: '3' },
      input: { type: 'string' },
      metadata: { type: 'string' },
      plugin: { type: 'string' },
      digest: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const updates = Number(args.updates);
  const stream = args.input ? captured(args.input, args.metadata ?? '', updates) : synthetic(updates);
  // `--plugin <dir>` benchmarks another copy of the operator (e.g. a baseline), same stream.
  const plugin = args.plugin
    ? ((await import(`${args.plugin}/index.ts`)) as { experimentStatsPlugin: OperatorPlugin }).experimentStatsPlugin
    : experimentStatsPlugin;
  // `--digest`: one more, unmeasured run that hashes every record out (to compare two versions' outputs).
  if (args.digest) {
    const hash = createHash('sha1');
    runOnce(plugin, stream, hash);
    console.log(`experiment_stats: output digest ${hash.digest('hex')}`);
  }
  const results = Array.from({ length: Number(args.runs) }, () => runOnce(plugin, stream));
  const rates = results.map((r) => r.updates / r.seconds).sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)]!;
  console.log(
    `experiment_stats: ${stream.counts.length} updates, ${results[0]!.emitted} records out; ` +
      `updates/s per run ${rates.map((r) => Math.round(r)).join(', ')}; median ${Math.round(median).toLocaleString('en')}`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) await main();
