/**
 * Shared set-up of the flagship's production-profile tests (real Kafka, HBase REST, NATS,
 * Jaeger from scripts/services): unique topic, bucket, table and group names per test, the
 * traffic written by pipelines/produce_traffic.yaml, the number of records the job reads,
 * the job started through the CLI with NODE_ENV=production, and readers for its /metrics,
 * its HBase tables and its log.
 */
import { spawn, execFile } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TrafficGenerator } from '../../plugins/experiment-analytics/traffic/generator.ts';
import { trafficConfig } from '../../plugins/experiment-analytics/traffic/test-config.ts';
import { scanHBaseRows } from '../../plugins/experiment-analytics/validate/hbase-rows.ts';
import { REPO } from '../cli/sluice.ts';

const exec = promisify(execFile);
export const HBASE_REST = 'http://127.0.0.1:8080';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Names and folders of one test, all unique, as the environment of both pipelines. */
export interface Deployment {
  readonly id: string;
  readonly dir: string;
  readonly runsDir: string;
  readonly runId: string;
  readonly topics: { readonly activations: string; readonly actions: string; readonly metadata: string; readonly deadLetter: string; readonly produceDeadLetter: string };
  readonly bucket: string;
  readonly tables: { readonly counts: string; readonly stats: string; readonly checkpoints: string };
  readonly alertsSubject: string;
  readonly env: Record<string, string>;
}

export function deployment(label: string): Deployment {
  const id = `${label}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), `sluice-${label}-`));
  const topics = { activations: `${id}.activations`, actions: `${id}.actions`, metadata: `${id}.metadata`, deadLetter: `${id}.dead_letter`, produceDeadLetter: `${id}.produce_dl` };
  const tables = { counts: `${id}_counts`, stats: `${id}_stats`, checkpoints: `${id}_checkpoints` };
  const bucket = `${id}_experiments`;
  const alertsSubject = `${id}.alerts`;
  const runsDir = join(dir, 'runs');
  const runId = 'run1';
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '',
    ACTIVATIONS_TOPIC: topics.activations, ACTIONS_TOPIC: topics.actions, METADATA_TOPIC: topics.metadata,
    DEAD_LETTER_TOPIC: topics.deadLetter, METADATA_BUCKET: bucket, COUNTS_TABLE: tables.counts, STATS_TABLE: tables.stats,
    ALERTS_SUBJECT: alertsSubject, KAFKA_GROUP: `sluice.${id}`, RUNS_DIR: runsDir, RUN_ID: runId,
    SLUICE_CHECKPOINT_HBASE_TABLE: tables.checkpoints,
  };
  return { id, dir, runsDir, runId, topics, bucket, tables, alertsSubject, env };
}

/** A sample-ratio mismatch to put into the traffic (default: experiment 4 loses 5%). */
export interface Srm {
  readonly experiment: number;
  readonly loss: number;
}
const DEFAULT_SRM: Srm = { experiment: 4, loss: 0.05 };

/**
 * Writes generator records (seed 1) into the deployment's topics and bucket, up to `events`
 * in all: a second call with a larger `events` continues where the first stopped.
 */
export async function produce(d: Deployment, events: number, malformedShare: number, partitions = 3, srm: Srm = DEFAULT_SRM): Promise<void> {
  await exec(process.execPath, ['bin/sluice.mjs', 'run', 'pipelines/produce_traffic.yaml', '--set', `job.state_dir=${join(d.dir, 'produce-state')}`], {
    cwd: REPO,
    env: {
      ...d.env, EVENTS: String(events), MALFORMED_SHARE: String(malformedShare), TOPIC_PARTITIONS: String(partitions), TRAFFIC_SEED: '1',
      DEAD_LETTER_TOPIC: d.topics.produceDeadLetter, SRM_EXPERIMENT: String(srm.experiment), SRM_LOSS: String(srm.loss),
    },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** What the generator (seed 1) emits over its first `events` records. */
export interface TrafficCounts {
  readonly activations: number;
  readonly actions: number;
  /** Malformed activations and actions (payloads that do not decode). */
  readonly malformed: number;
  /** Metadata records, and the experiments they describe (the bucket's keys). */
  readonly metadataRecords: number;
  readonly experiments: number;
}

export function trafficCounts(events: number, malformedShare: number, partitions = 3, srm: Srm = DEFAULT_SRM): TrafficCounts {
  const g = new TrafficGenerator(trafficConfig({ seed: 1, events, partitions, malformed_share: malformedShare, sample_ratio_mismatch: [srm] }));
  let activations = 0;
  let actions = 0;
  let malformed = 0;
  let metadataRecords = 0;
  const experiments = new Set<string>();
  while (!g.done) {
    const d = g.next(1000);
    for (let i = 0; i < d.length; i++) {
      const out = d.outputs[i];
      if (out === 'metadata') {
        metadataRecords++;
        experiments.add((d.values[i] as { experiment_id: string }).experiment_id);
        continue;
      }
      if (out === 'activations') activations++;
      else actions++;
      if (d.payloads[i] !== undefined) malformed++;
    }
  }
  return { activations, actions, malformed, metadataRecords, experiments: experiments.size };
}

/**
 * What a job started after `events` records were produced reads: every activation and action
 * (malformed ones too) and the bucket's latest value per experiment.
 */
export function recordsToRead(events: number, malformedShare: number, partitions = 3, srm: Srm = DEFAULT_SRM): TrafficCounts & { total: number } {
  const c = trafficCounts(events, malformedShare, partitions, srm);
  return { ...c, total: c.activations + c.actions + c.experiments };
}

export interface RunningJob {
  readonly child: ChildProcessWithoutNullStreams;
  readonly metricsPort: number;
  /** stdout + stderr so far. */
  output(): string;
  readonly exited: Promise<number | null>;
}

/** Starts the flagship's production profile; `extra` are more CLI arguments (`--events N`), `nodeArgs` Node's (`--cpu-prof`). */
export async function startJob(d: Deployment, extra: readonly string[], env: Record<string, string> = {}, nodeArgs: readonly string[] = []): Promise<RunningJob> {
  const metricsPort = await freePort();
  const child = spawn(
    process.execPath,
    [...nodeArgs, 'bin/sluice.mjs', 'run', 'pipelines/experiment_analytics.yaml', '--profile', 'production', '--set', `metrics.port=${metricsPort}`, ...extra],
    { cwd: REPO, env: { ...d.env, NODE_ENV: 'production', SLUICE_TRACING_SAMPLE_RATIO: '1', ...env } },
  ) as ChildProcessWithoutNullStreams;
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, metricsPort, output: () => out, exited };
}

/** Prometheus text → `name{labels}` → value (labels as written, sorted by the exporter). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

/** The value of `name` for the series whose labels include every `label="value"` given. */
export function metric(metrics: Map<string, number>, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum: number | undefined;
  for (const [series, value] of metrics) {
    if (!series.startsWith(`${name}{`) && series !== name) continue;
    if (want.every((w) => series.includes(w))) sum = (sum ?? 0) + value;
  }
  return sum;
}

export async function scrape(port: number): Promise<Map<string, number> | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    return res.status === 200 ? parseMetrics(await res.text()) : undefined;
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves `value` after `ms` without keeping the process alive (a time limit raced against what it limits). */
export const deadline = <T>(ms: number, value: T): Promise<T> => new Promise((r) => setTimeout(() => r(value), ms).unref());

/** Polls `probe` every `everyMs` until it returns something other than undefined, or throws after `timeoutMs`. */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Every row of an HBase table, read through the REST server. */
export function hbaseRows(table: string, family: string): Promise<Record<string, string>[]> {
  return scanHBaseRows({ url: HBASE_REST, table, family });
}

/** The run folder of the deployment's run. */
export function runFolder(d: Deployment): string {
  return join(d.runsDir, 'experiment_analytics', d.runId);
}
