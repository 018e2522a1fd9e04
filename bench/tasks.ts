/**
 * `npm run bench:tasks [-- --runs 3 --records 400000 --partitions 4 --processes 1,2,3]`: a job
 * run as tasks (`job.tasks`) by 1, 2, 3 … processes against the real broker (127.0.0.1:9092,
 * `scripts/services up`), each process a `sluice run` of the compiled build.
 *
 * The job: `kafka` source → `window_aggregate` (tumbling 1 min count per user) → `null` sink,
 * checkpoints every 2 s to a folder shared by the processes (one machine). One topic is filled
 * first with `--records` JSON messages (keyed by one of 10,000 users, so the topic is
 * partitioned by the window's key); each run reads all of it under a fresh job name (fresh
 * groups, from the earliest offset). The processes start
 * together on the full topic; the span measured starts 2 s after every process is ready with
 * its share of the tasks (the rebalances of the start-up are over) and ends when they have
 * read every record (summed `sluice_records_in` of the source over their `/metrics`): the
 * wall rate over that span, and the CPU-seconds (user + system, from `/proc/<pid>/stat`) all
 * processes spent in it per record. Rounds alternate the process counts; medians of `--runs`
 * rounds; the ratio of each count's rate to one process's, same run. Figures are notes, not a
 * test. `--users N --window 1h` makes the job hold N keys at once (the records span one hour
 * of event time), and per task the checkpoints' size, duration and pause are printed (their
 * `checkpoint N complete` log lines); `--store hbase` checkpoints to HBase as production does.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { median } from './summary.ts';
import { cpuSeconds, freePort } from './processes.ts';
import { dropTables } from '../test/integration/hbase-helpers.ts';

const BROKER = '127.0.0.1:9092';
const ROOT = resolve(import.meta.dirname, '..');
const T0 = Date.UTC(2026, 0, 1);

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    records: { type: 'string', default: '6000000' },
    partitions: { type: 'string', default: '4' },
    processes: { type: 'string', default: '1,2,3' },
    /** Distinct users (window keys): 1,000,000 with `--window 1h` holds a million keys at once. */
    users: { type: 'string', default: '10000' },
    /** The tumbling window's size. */
    window: { type: 'string', default: '1m' },
    /** Where the tasks checkpoint: `folder` (a folder the processes share) or `hbase` (the production store). */
    store: { type: 'string', default: 'folder' },
  },
});
const USERS = Number(args.users);
const RECORDS = Number(args.records);
const PARTITIONS = Number(args.partitions);
const COUNTS = args.processes.split(',').map(Number);
const kafka = new Kafka({ brokers: [BROKER], clientId: 'sluice-bench-tasks', logLevel: logLevel.NOTHING });

async function createTopic(topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
}

async function deleteTopics(topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

const STEP = 10_000;
/** The messages, built once: batches of `STEP` (kept small: a value is ~70 bytes). */
const batches = Array.from({ length: Math.ceil(RECORDS / STEP) }, (_, b) => {
  const messages = [];
  for (let j = b * STEP; j < Math.min(RECORDS, (b + 1) * STEP); j++) {
    const user = `u${(j * 7919) % USERS}`;
    messages.push({ key: user, value: JSON.stringify({ user, action: j % 5 === 0 ? 'click' : 'view', ts: T0 + Math.floor((j * 3_600_000) / RECORDS) }) });
  }
  return messages;
});

/** Four producers send the batches concurrently (one kafkajs producer sends ~40 k records/s here). */
async function produce(topic: string): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      for (let b = next++; b < batches.length; b = next++) await producer.send({ topic, messages: batches[b]! });
      await producer.disconnect();
    }),
  );
}

async function ready(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/ready`);
    return res.status === 200 ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

function pipeline(job: string, topic: string): string {
  return `name: ${job}
sources:
  events:
    kafka: { brokers: ["${BROKER}"], topic: ${topic}, start: earliest, meta: false, session_timeout: 6s }
    event_time: { field: ts, max_out_of_orderness: 5s }
operators:
  per_user:
    input: events
    window_aggregate: { key: user, window: { tumbling: ${args.window} }, aggregates: { n: count } }
sinks:
  out:
    input: per_user
    "null": {}
`;
}



async function recordsIn(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    let n = 0;
    for (const line of text.split('\n')) if (line.startsWith('sluice_records_in_total{') && line.includes('operator="events"')) n += Number(line.slice(line.lastIndexOf(' ') + 1));
    return n;
  } catch {
    return 0;
  }
}

interface Checkpoint {
  readonly task: string;
  readonly bytes: number;
  readonly ms: number;
  readonly pausedMs: number;
}

/** The `checkpoint N complete` log lines of a process's tasks. */
function checkpointsIn(lines: readonly string[]): Checkpoint[] {
  return lines.flatMap((l) => {
    try {
      const j = JSON.parse(l) as { msg?: string; task?: string; bytes?: number; duration_ms?: number; paused_ms?: number };
      return /^checkpoint \d+ complete$/.test(j.msg ?? '') && j.task ? [{ task: j.task, bytes: j.bytes ?? 0, ms: j.duration_ms ?? 0, pausedMs: j.paused_ms ?? 0 }] : [];
    } catch {
      return [];
    }
  });
}

interface Run {
  readonly checkpoints: readonly Checkpoint[];
  readonly rate: number;
  readonly cpuPerRecordUs: number;
  /** Records read before the span began (start-up, rebalances). */
  readonly before: number;
}

async function runOnce(topic: string, processes: number, dir: string, round: number): Promise<Run> {
  const job = `bench_tasks_${Date.now().toString(36)}_${round}_${processes}`;
  try {
    return await measure(job, topic, processes, dir);
  } finally {
    await deleteTopics([`sluice.${job}.tasks`]);
    if (args.store === 'hbase') await dropTables([`${job}_cp`]);
  }
}

async function measure(job: string, topic: string, processes: number, dir: string): Promise<Run> {
  const file = join(dir, `${job}.yaml`);
  writeFileSync(file, pipeline(job, topic));
  const children: { child: ChildProcess; port: number; log: string[] }[] = [];
  const store = args.store === 'hbase' ? { SLUICE_CHECKPOINT_STORE: 'hbase', SLUICE_CHECKPOINT_HBASE_TABLE: `${job}_cp` } : {};
  for (let i = 0; i < processes; i++) {
    const port = await freePort();
    const child = spawn(process.execPath, ['bin/sluice.mjs', 'run', file, '--set', 'job.tasks=true', '--set', 'job.task_session_timeout=6s', '--set', `metrics.port=${port}`, '--set', 'checkpoint.interval=2s'], {
      cwd: ROOT,
      env: { ...process.env, ...store, SLUICE_JOB_STATE_DIR: join(dir, 'state'), SLUICE_LOG_LEVEL: process.env.BENCH_TASKS_LOG_LEVEL ?? 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log: string[] = [];
    // The log goes to stderr: its checkpoint lines are kept, the rest passed on.
    let rest = '';
    child.stderr!.on('data', (b: Buffer) => {
      const lines = (rest + b.toString()).split('\n');
      rest = lines.pop()!;
      for (const l of lines) {
        if (/"msg":"checkpoint \d+ complete"/.test(l)) log.push(l);
        else if (!l.includes('"level":"info"')) process.stderr.write(`${l}\n`);
      }
    });
    child.stdout!.resume();
    children.push({ child, port, log });
  }
  try {
    const total = async () => (await Promise.all(children.map((c) => recordsIn(c.port)))).reduce((a, b) => a + b, 0);
    const cpu = () => children.reduce((s, c) => s + cpuSeconds(c.child.pid!), 0);
    // Every process ready, the tasks spread: each owns its share.
    const settled = Date.now() + 120_000;
    for (;;) {
      if (Date.now() > settled) throw new Error(`${processes} processes: the tasks did not settle in 2 min`);
      const bodies = await Promise.all(children.map((c) => ready(c.port)));
      const owned = bodies.map((b) => (b ? (/^tasks: (.*)$/m.exec(b)?.[1] ?? '').split(' ').filter(Boolean).length : 0));
      if (owned.every((n) => n > 0) && owned.reduce((a, b) => a + b, 0) === PARTITIONS) break;
      await sleep(200);
    }
    await sleep(2000);
    const first = { at: performance.now(), cpu: cpu(), n: await total() };
    if (first.n > RECORDS * 0.7) throw new Error(`${processes} processes read ${first.n} of ${RECORDS} records before the span began: give more --records`);
    const deadline = Date.now() + 600_000;
    let n = first.n;
    while (n < RECORDS) {
      if (Date.now() > deadline) throw new Error(`${processes} processes: ${n} of ${RECORDS} records after 10 min`);
      await sleep(100);
      n = await total();
    }
    const last = { at: performance.now(), cpu: cpu() };
    const records = RECORDS - first.n;
    // Checkpoints complete after the records are read too: give the last ones a moment.
    await sleep(3000);
    const checkpoints = children.flatMap((c) => checkpointsIn(c.log));
    return { rate: records / ((last.at - first.at) / 1000), cpuPerRecordUs: ((last.cpu - first.cpu) / records) * 1e6, before: first.n, checkpoints };
  } finally {
    // Stopped gracefully when measured; killed when the measurement failed, so none outlives the bench.
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGTERM');
    const exited = Promise.all(children.map((c) => new Promise((done) => (c.child.exitCode !== null || c.child.signalCode !== null ? done(null) : c.child.on('exit', done)))));
    const timer = setTimeout(() => children.forEach((c) => c.child.kill('SIGKILL')), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-tasks-'));
  const topic = `bench-tasks-${Date.now().toString(36)}`;
  console.log(`preparing ${topic}: ${RECORDS} records over ${PARTITIONS} partitions`);
  await createTopic(topic);
  await produce(topic);
  const runs = new Map<number, Run[]>(COUNTS.map((c) => [c, []]));
  try {
    for (let round = 0; round < Number(args.runs); round++) {
      const order = round % 2 ? [...COUNTS].reverse() : COUNTS;
      for (const processes of order) {
        const r = await runOnce(topic, processes, dir, round);
        runs.get(processes)!.push(r);
        console.log(`round ${round + 1}, ${processes} process(es): ${Math.round(r.rate)} records/s, ${r.cpuPerRecordUs.toFixed(1)} CPU-µs per record (${r.before} records read before the span), ${r.checkpoints.length} checkpoints`);
      }
    }
  } finally {
    await deleteTopics([topic]);
    rmSync(dir, { recursive: true, force: true });
  }
  const one = median(runs.get(COUNTS[0]!)!.map((r) => r.rate));
  const oneCpu = median(runs.get(COUNTS[0]!)!.map((r) => r.cpuPerRecordUs));
  console.log(`\n| processes | records/s (median) | × ${COUNTS[0]} process | CPU-µs per record (median) | vs ${COUNTS[0]} process |`);
  console.log('|---|---|---|---|---|');
  for (const c of COUNTS) {
    const rate = median(runs.get(c)!.map((r) => r.rate));
    const cpu = median(runs.get(c)!.map((r) => r.cpuPerRecordUs));
    console.log(`| ${c} | ${Math.round(rate)} | ${(rate / one).toFixed(2)} | ${cpu.toFixed(1)} | ${((cpu / oneCpu - 1) * 100).toFixed(0)} % |`);
  }
  // Checkpoints per task, every run; the largest are those taken with the most keys held.
  const all = [...runs.values()].flat().flatMap((r) => r.checkpoints);
  if (all.length === 0) return;
  const kb = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
  const largest = [...all].sort((a, b) => b.bytes - a.bytes).slice(0, Math.max(1, Math.ceil(all.length / 10)));
  console.log(`\n${all.length} task checkpoints (${args.store} store, ${USERS} users, ${args.window} windows): size per task median ${kb(median(all.map((c) => c.bytes)))}, max ${kb(largest[0]!.bytes)}; duration median ${median(all.map((c) => c.ms)).toFixed(0)} ms; sources paused median ${median(all.map((c) => c.pausedMs)).toFixed(0)} ms, max ${Math.max(...all.map((c) => c.pausedMs))} ms`);
  console.log(`the largest tenth (${largest.length}): size median ${kb(median(largest.map((c) => c.bytes)))}, duration median ${median(largest.map((c) => c.ms)).toFixed(0)} ms, max ${Math.max(...largest.map((c) => c.ms))} ms, sources paused median ${median(largest.map((c) => c.pausedMs)).toFixed(0)} ms, max ${Math.max(...largest.map((c) => c.pausedMs))} ms`);
}

await main();
