/**
 * `npm run bench:production [-- --runs 3 --events 30000 --rate 300 --seconds 60 --cpu-prof <dir>]`: the
 * flagship's production profile on the real services (`scripts/services up` first).
 *
 * - Throughput: `--events` generator records produced to Kafka and NATS KV beforehand, then
 *   the job runs through the CLI until it has read them all (`--events`); events/s = records
 *   read / (exit − first record read, from /metrics), median of `--runs`. The produce step is
 *   timed too (the same records through produce_traffic.yaml), as a baseline in the same run.
 * - Latency, produce → HBase: generator traffic sent at a steady `--rate` (records/s, below
 *   saturation) for `--seconds`, plus one probe click every 500 ms for a probe user of a
 *   probe experiment; the probe row in HBase is read through REST every 20 ms, and each
 *   probe's latency is from its send to the read that shows it. p50 and p99.
 *
 * Figures depend on the machine and its load: they are for the notes, not a test.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { TrafficGenerator } from '../plugins/experiment-analytics/traffic/generator.ts';
import { trafficConfig } from '../plugins/experiment-analytics/traffic/test-config.ts';
import { dropTables } from '../test/integration/hbase-helpers.ts';
import { cleanup } from '../test/integration/kafka-helpers.ts';
import { deployment, metric, produce, recordsToRead, scrape, sleep, startJob, until } from '../test/integration/flagship-production.ts';
import type { Deployment } from '../test/integration/flagship-production.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    events: { type: 'string', default: '30000' },
    rate: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '60' },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});
const RUNS = Number(args.runs);
const EVENTS = Number(args.events);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const only = args.only?.split(',');

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function dispose(d: Deployment): Promise<void> {
  await cleanup(...Object.values(d.topics));
  await dropTables(Object.values(d.tables));
}

/** CPU seconds (user + system) the process has used so far, from /proc (Linux); undefined once it is gone. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function throughputRun(i: number): Promise<{ produceEps: number; jobEps: number; wallEps: number; startupS: number; read: number; cpuS: number; startupCpuS: number }> {
  const d = deployment(`bench_tp${i}`);
  try {
    const t0 = performance.now();
    await produce(d, EVENTS, 0.0005);
    const produceS = (performance.now() - t0) / 1000;
    const read = recordsToRead(EVENTS, 0.0005).total;
    const started = performance.now();
    const prof = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}/run${i}`] : [];
    const job = await startJob(d, ['--events', String(read)], { SLUICE_TRACING_SAMPLE_RATIO: '0.01' }, prof);
    try {
      let startupCpuS = 0;
      const first = await until('the first record read', 120_000, async () => {
        const m = await scrape(job.metricsPort);
        const n = m ? (metric(m, 'sluice_records_in_total', { operator: 'traffic.actions' }) ?? 0) : 0;
        startupCpuS = cpuSeconds(job.child.pid) ?? startupCpuS;
        return n > 0 ? performance.now() : undefined;
      }, 50);
      // The job's CPU time, read every 100 ms until it exits (the last reading is at most 100 ms old).
      let cpuS = startupCpuS;
      const sampler = setInterval(() => (cpuS = cpuSeconds(job.child.pid) ?? cpuS), 100);
      const code = await job.exited;
      clearInterval(sampler);
      if (code !== 0) throw new Error(`job exited ${code}:\n${job.output().slice(-3000)}`);
      const end = performance.now();
      return { produceEps: EVENTS / produceS, jobEps: read / ((end - first) / 1000), wallEps: read / ((end - started) / 1000), startupS: (first - started) / 1000, read, cpuS, startupCpuS };
    } finally {
      job.child.kill('SIGKILL');
    }
  } finally {
    await dispose(d);
  }
}

async function readVolume(table: string, rowKey: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:8080/${encodeURIComponent(table)}/${encodeURIComponent(rowKey)}/c:volume`, { headers: { accept: 'application/json' } });
  if (res.status === 404) return 0;
  const body = (await res.json()) as { Row: { Cell: { $: string }[] }[] };
  return Number(Buffer.from(body.Row[0]!.Cell[0]!.$, 'base64').toString('utf8'));
}

async function latencyRun(): Promise<{ p50: number; p99: number; probes: number; sentPerS: number }> {
  const d = deployment('bench_lat');
  const kafka = new Kafka({ clientId: 'sluice-bench', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
  const nc = await connect({ servers: '127.0.0.1:4222' });
  await admin.connect();
  await producer.connect();
  try {
    await admin.createTopics({ topics: [d.topics.activations, d.topics.actions].map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
    const kv = await new Kvm(nc).create(d.bucket);
    const gen = new TrafficGenerator(trafficConfig({ seed: 1, partitions: 3, malformed_share: 0 }));
    // The probe experiment launched before the generator's first event, 50/50, tracking clicks.
    const start = 1_767_225_600_000;
    const launch = start - 3_600_000;
    await kv.put('exp_probe', JSON.stringify({
      event_id: 'm-exp_probe-0', experiment_id: 'exp_probe', groups: ['control', 'treatment'], control: 'control',
      weights: { control: 0.5, treatment: 0.5 }, alpha: 0.05, n_star: 2500, actions: { click: 'up_is_good' },
      ramps: [{ ts: launch, weights: { control: 0.5, treatment: 0.5 } }], effective_from: launch, ts: launch - 3_600_000,
    }));
    const rowKey = `exp_probe|${String(launch).padStart(13, '0')}|0|click|control`;
    const job = await startJob(d, [], { SLUICE_TRACING_SAMPLE_RATIO: '0.01' });
    const latencies: number[] = [];
    let sent = 0;
    try {
      await until('the job to be ready', 60_000, async () => ((await fetch(`http://127.0.0.1:${job.metricsPort}/ready`).catch(() => undefined))?.status === 200 ? true : undefined), 100);
      await producer.send({ topic: d.topics.activations, messages: [{ key: 'probe_user', value: JSON.stringify({ event_id: 'probe-a', user_id: 'probe_user', experiment_id: 'exp_probe', group: 'control', ts: start }) }] });
      let lastTs = start;
      const perSlice = Math.max(1, Math.round(RATE / 10));
      const pending: { k: number; at: number }[] = [];
      let probes = 0;
      let seen = 0;
      let stopped = false;
      const poller = (async () => {
        while (!stopped) {
          if (pending.length === 0) {
            await sleep(20);
            continue;
          }
          const v = await readVolume(d.tables.counts, rowKey).catch(() => seen);
          const now = performance.now();
          while (pending.length && pending[0]!.k <= v) latencies.push(now - pending.shift()!.at);
          seen = v;
          await sleep(20);
        }
      })();
      const end = performance.now() + SECONDS * 1000;
      let nextProbe = performance.now() + 5000; // the probe user's trigger fires on the watermark first
      while (performance.now() < end) {
        const slice = performance.now();
        const batch = gen.next(perSlice);
        const byTopic = new Map<string, { key: string; value: string }[]>();
        for (let i = 0; i < batch.length; i++) {
          const out = batch.outputs[i];
          const v = batch.values[i] as Record<string, unknown> | undefined;
          if (!v) continue;
          lastTs = Math.max(lastTs, v.ts as number);
          if (out === 'metadata') {
            await kv.put(v.experiment_id as string, JSON.stringify(v));
            continue;
          }
          const topic = out === 'activations' ? d.topics.activations : d.topics.actions;
          const list = byTopic.get(topic) ?? [];
          list.push({ key: v.user_id as string, value: JSON.stringify(v) });
          byTopic.set(topic, list);
        }
        if (byTopic.size) await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
        sent += batch.length;
        if (performance.now() >= nextProbe) {
          probes++;
          await producer.send({ topic: d.topics.actions, messages: [{ key: 'probe_user', value: JSON.stringify({ event_id: `probe-c-${probes}`, user_id: 'probe_user', action: 'click', ts: lastTs }) }] });
          pending.push({ k: probes, at: performance.now() });
          nextProbe += 500;
        }
        const wait = 100 - (performance.now() - slice);
        if (wait > 0) await sleep(wait);
      }
      await until('the last probes in HBase', 60_000, async () => (pending.length === 0 ? true : undefined), 100);
      stopped = true;
      await poller;
    } finally {
      job.child.kill('SIGKILL');
    }
    // The first probes wait for the probe user's first trigger (the watermark must pass it): skip them.
    const steady = latencies.slice(5);
    return { p50: quantile(steady, 0.5), p99: quantile(steady, 0.99), probes: steady.length, sentPerS: sent / SECONDS };
  } finally {
    await producer.disconnect();
    await admin.disconnect();
    await nc.close();
    await dispose(d);
  }
}

if (!only || only.includes('throughput')) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await throughputRun(i);
    console.log(`throughput run ${i + 1}: ${r.read} records, job ${r.jobEps.toFixed(0)} rec/s (${r.wallEps.toFixed(0)} incl. ${r.startupS.toFixed(1)} s start-up), ${(r.read / (r.cpuS - r.startupCpuS)).toFixed(0)} rec/CPU-s after start-up (${r.cpuS.toFixed(1)} CPU-s, ${r.startupCpuS.toFixed(1)} before the first record), produce ${r.produceEps.toFixed(0)} rec/s`);
    runs.push(r);
  }
  console.log(`throughput Kafka → job → HBase: median ${median(runs.map((r) => r.jobEps)).toFixed(0)} records/s (incl. start-up ${median(runs.map((r) => r.wallEps)).toFixed(0)}), ${median(runs.map((r) => r.read / (r.cpuS - r.startupCpuS))).toFixed(0)} records per CPU-second after start-up; produce_traffic median ${median(runs.map((r) => r.produceEps)).toFixed(0)} records/s; ${RUNS} runs of ${EVENTS} events`);
}
if (!only || only.includes('latency')) {
  const l = await latencyRun();
  console.log(`latency produce → HBase at ${l.sentPerS.toFixed(0)} records/s for ${SECONDS} s: p50 ${l.p50.toFixed(0)} ms, p99 ${l.p99.toFixed(0)} ms over ${l.probes} probes`);
}
process.exit(0);
