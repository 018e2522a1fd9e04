/**
 * `npm run bench:kafka [-- --runs 3 --records 300000 --partitions 3 --cpu-prof <dir>]`: the
 * `kafka` source path alone against the real broker (127.0.0.1:9092, `scripts/services up`).
 *
 * One topic is prepared with `--records` JSON messages (~110 bytes, keyed by user). Each
 * run then reads the whole topic twice, each read in a fresh Node process with a fresh
 * consumer group, from the earliest offset:
 *
 * - `bare` (the baseline): a kafkajs 2.2.4 `eachBatch` consumer that `JSON.parse`s every
 *   message value, with the fetch settings the source uses by default (`FETCH` below), so
 *   the two differ only in what Sluice does around the client;
 * - `sluice`: `kafka` source (`meta: false`, event time from `ts`) → `null` sink through
 *   the engine's `runJob`, stopping at `--records` (`maxEvents`).
 *
 * Each process measures from just before it connects to the moment it has read every
 * record (Sluice: its sink got every record): module loading and the shutdown are not
 * measured; connecting and the group join are, in both. "after the first" is the wall
 * rate from the first record on (the start-up left out). `BENCH_KAFKA_SOURCE_EXTRA`
 * (`", max_bytes_per_partition: 262144"`) is appended to the source's config,
 * `BENCH_KAFKA_EVENT_TIME_EXTRA` (`", idle_timeout: 5s, alignment: { max_drift: 1m }"`) to its
 * `event_time` of this checkout's runs only (`--baseline .` then compares with and without).
 * Prints records/s, records per CPU-second (user + system), peak RSS, the medians and the
 * ratio sluice / bare of the medians. Figures are notes, not a test.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type * as Engine from '../core/runtime/engine/index.ts';
import type * as Graph from '../core/runtime/graph/index.ts';
import type * as Plugins from '../core/runtime/plugins/index.ts';
import { Measure } from './measure.ts';
import type { Measured } from './measure.ts';
import { median } from './summary.ts';

const BROKER = '127.0.0.1:9092';
const ROOT = resolve(import.meta.dirname, '..');
const RESULT = '@@kafka ';
/** The source's default fetch settings (plugins/source-kafka/spec.ts), given to the bare consumer too. */
const FETCH = { maxBytesPerPartition: 1024 * 1024, maxWaitTimeInMs: 500 };

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    records: { type: 'string', default: '300000' },
    partitions: { type: 'string', default: '3' },
    child: { type: 'string' },
    topic: { type: 'string' },
    'cpu-prof': { type: 'string' },
    baseline: { type: 'string' },
    root: { type: 'string' },
  },
});
const RECORDS = Number(args.records);

/** The baseline: kafkajs `eachBatch`, `JSON.parse` per message, nothing else. */
/** One read: measured, and the seconds from connecting to the first record. */
interface Run extends Measured {
  readonly first_s: number;
}

async function readBare(topic: string): Promise<Run> {
  const kafka = new Kafka({ clientId: 'bench-bare', brokers: [BROKER], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-bare-${randomBytes(4).toString('hex')}`, ...FETCH });
  const measure = new Measure();
  measure.start();
  let read = 0;
  let sink = 0;
  let firstAt: number | undefined;
  const t0 = performance.now();
  const done = new Promise<void>((resolveDone) => {
    void (async () => {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const row = JSON.parse(m.value!.toString('utf8')) as { ts: number };
            sink += row.ts & 1;
          }
          firstAt ??= performance.now();
          read += batch.messages.length;
          if (read >= RECORDS) resolveDone();
        },
      });
    })();
  });
  await done;
  const m = { ...measure.stop(), first_s: (firstAt! - t0) / 1000 };
  if (sink < 0) console.log(sink);
  await consumer.disconnect();
  return m;
}

/** Sluice (this checkout, or the one at `root`): `kafka` source → `null` sink through the engine. */
async function readSluice(topic: string, root: string, eventTimeExtra: string): Promise<Run> {
  const load = (file: string) => import(pathToFileURL(resolve(root, file)).href);
  const { compilePipeline } = (await load('core/runtime/graph/index.ts')) as typeof Graph;
  const { builtinRegistry } = (await load('core/runtime/plugins/index.ts')) as typeof Plugins;
  const { runJob } = (await load('core/runtime/engine/index.ts')) as typeof Engine;
  const text = `
name: bench_kafka_source
sources:
  in:
    kafka: { brokers: ["${BROKER}"], topic: ${topic}, group_id: bench-sluice-${randomBytes(4).toString('hex')}, meta: false${process.env.BENCH_KAFKA_SOURCE_EXTRA ?? ''} }
    event_time: { field: ts, max_out_of_orderness: 1s${eventTimeExtra} }
sinks:
  out:
    input: in
    "null": {}
`;
  const compiled = compilePipeline({ file: 'bench_kafka_source.yaml', text, env: {}, plugins: await builtinRegistry() });
  if (!compiled.pipeline) throw new Error(compiled.issues.map((i) => i.message).join('\n'));
  // The null sink, counting: the measurement stops when it has every record (as the
  // bare consumer's does), not after the job's shutdown.
  const measure = new Measure();
  let measured: Run | undefined;
  let written = 0;
  const sink = {
    open: () => Promise.resolve(),
    write: (batch: { length: number }) => {
      firstAt ??= performance.now();
      written += batch.length;
      if (written >= RECORDS) measured ??= { ...measure.stop(), first_s: (firstAt - t0) / 1000 };
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  let firstAt: number | undefined;
  measure.start();
  const t0 = performance.now();
  const result = await runJob(compiled.pipeline, { maxEvents: RECORDS, checkpoint: { store: null }, restart: { maxAttempts: 0 }, metrics: null, overrides: { sinks: { out: () => sink } } });
  if (result.status === 'failed') throw result.error ?? new Error('job failed');
  if (!measured) throw new Error(`read ${written} of ${RECORDS}`);
  return measured;
}

/** Fills the topic: `records` messages shaped like the flagship's actions. */
async function prepare(topic: string, partitions: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-prepare', brokers: [BROKER], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await admin.connect();
  await producer.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    const actions = ['impression', 'click', 'save', 'search'];
    const t0 = 1_767_225_600_000;
    for (let from = 0; from < RECORDS; from += 20_000) {
      const messages = [];
      for (let i = from; i < Math.min(RECORDS, from + 20_000); i++) {
        const user = `u${(i * 7919) % 100_000}`;
        messages.push({ key: user, value: JSON.stringify({ event_id: `e-${i}`, user_id: user, action: actions[i % 4], experiment_id: `exp_${i % 20}`, ts: t0 + i * 10 }) });
      }
      await producer.send({ topic, messages, acks: 1 });
    }
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
}

type Kind = 'bare' | 'sluice' | 'baseline';

function runChild(kind: Kind, topic: string, run: number): Promise<Run> {
  // One profile per thread (tsx's loader runs in one); the main thread's is the largest.
  const prof = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', resolve(args['cpu-prof'], `${kind}-${run}`)] : [];
  const root = kind === 'baseline' ? ['--root', resolve(args.baseline!)] : [];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...prof, resolve(ROOT, 'bin/run-ts.mjs'), 'bench/kafka-source.ts', '--child', kind, '--topic', topic, '--records', String(RECORDS), ...root], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT));
      if (code !== 0 || !line) fail(new Error(`${kind} read failed (exit ${code}):\n${(err || out).slice(-3000)}`));
      else done(JSON.parse(line.slice(RESULT.length)) as Run);
    });
  });
}

async function main(): Promise<void> {
  const runs = Number(args.runs);
  const topic = `bench_kafka_source_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const t0 = performance.now();
  await prepare(topic, Number(args.partitions));
  console.log(`topic ${topic}: ${RECORDS} records in ${args.partitions} partitions, produced in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const kinds: Kind[] = args.baseline ? ['bare', 'baseline', 'sluice'] : ['bare', 'sluice'];
  const results: Record<Kind, Run[]> = { bare: [], sluice: [], baseline: [] };
  try {
    for (let r = 0; r < runs; r++) {
      for (const kind of kinds) {
        const m = await runChild(kind, topic, r);
        results[kind].push(m);
        console.log(`run ${r + 1} ${kind.padEnd(8)}: ${(RECORDS / m.wall_s).toFixed(0).padStart(7)} rec/s, ${(RECORDS / m.cpu_s).toFixed(0).padStart(7)} rec/CPU-s (${m.cpu_s.toFixed(2)} CPU-s, ${m.wall_s.toFixed(2)} s, first record after ${m.first_s.toFixed(2)} s), peak RSS ${m.peak_rss_mb.toFixed(0)} MB`);
      }
    }
  } finally {
    const admin = new Kafka({ brokers: [BROKER], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
  const med = (kind: Kind) => ({
    perS: median(results[kind].map((m) => RECORDS / m.wall_s)),
    steadyPerS: median(results[kind].map((m) => RECORDS / (m.wall_s - m.first_s))),
    perCpuS: median(results[kind].map((m) => RECORDS / m.cpu_s)),
    cpuS: median(results[kind].map((m) => m.cpu_s)),
    rss: median(results[kind].map((m) => m.peak_rss_mb)),
  });
  const bare = med('bare');
  const label: Record<Kind, string> = { bare: 'bare kafkajs eachBatch + JSON.parse', sluice: 'sluice kafka source -> null', baseline: `sluice at ${args.baseline ?? ''}` };
  console.log(`\nmedians of ${runs} runs, ${RECORDS} records:`);
  for (const kind of kinds) {
    const m = med(kind);
    const ratio = kind === 'bare' ? '' : `  ratio to bare: ${(m.perS / bare.perS).toFixed(2)} rec/s, ${(m.steadyPerS / bare.steadyPerS).toFixed(2)} after the first, ${(m.perCpuS / bare.perCpuS).toFixed(2)} rec/CPU-s`;
    console.log(`  ${label[kind].padEnd(36)} ${m.perS.toFixed(0).padStart(7)} rec/s (${m.steadyPerS.toFixed(0)} after the first)  ${m.perCpuS.toFixed(0).padStart(7)} rec/CPU-s  ${m.cpuS.toFixed(2)} CPU-s  peak RSS ${m.rss.toFixed(0)} MB${ratio}`);
  }
}

if (args.child) {
  const m = args.child === 'bare' ? await readBare(args.topic!) : await readSluice(args.topic!, args.root ?? ROOT, args.child === 'sluice' ? (process.env.BENCH_KAFKA_EVENT_TIME_EXTRA ?? '') : '');
  process.stdout.write(`\n${RESULT}${JSON.stringify(m)}\n`);
  process.exit(0);
} else {
  await main();
}
