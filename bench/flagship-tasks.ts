/**
 * `npm run bench:flagship-tasks [-- --runs 3 --events 300000 --processes 1,2,3]`: the flagship's
 * production profile (pipelines/experiment_analytics.yaml, NODE_ENV=production: Kafka in,
 * HBase out and checkpoints, NATS KV metadata) run as tasks (`job.tasks`) by 1, 2, 3 processes
 * of the compiled `sluice run`, on the real services (`scripts/services up`).
 *
 * The traffic is produced once by pipelines/produce_traffic.yaml (4 partitions per topic, so
 * 4 tasks in each of the job's 2 stages). Each run starts fresh: its own consumer groups,
 * HBase tables and checkpoint table, and the job's task group, repartition topics and their
 * groups deleted first (they are named after the job, which this benchmark names per
 * invocation with `JOB_NAME`). The span measured starts when
 * every process is ready with its share of the tasks and ends when they have read every
 * activation and action (summed `sluice_records_in` of the two Kafka sources over their
 * /metrics): records/s over the span, CPU-seconds (user + system, /proc/<pid>/stat) of all
 * processes per record, and per stage task the checkpoints' size, duration and pause (their
 * `checkpoint N complete` log lines, whole run). Rounds alternate the process counts;
 * medians of `--runs` rounds; ratios against one process in the same run. Notes, not a test.
 * `--cpu-prof <dir>` writes a CPU profile of each job process there (on its SIGTERM exit);
 * `--checkpoint-log <file>` appends their checkpoint log lines (pause phases, in-flight items) to it.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs, promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { median } from './summary.ts';
import { cpuSeconds, freePort, machineCpuSeconds, servicePids, servicesCpuSeconds } from './processes.ts';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const BROKER = '127.0.0.1:9092';
const HBASE = 'http://127.0.0.1:8080';
const JOB = `ft_bench_job_${Date.now().toString(36)}`;
const PARTITIONS = 4;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    events: { type: 'string', default: '500000' },
    processes: { type: 'string', default: '1,2,3' },
    'cpu-prof': { type: 'string' },
    /** Appends every process's `checkpoint N complete` log lines (with where the pause went) to this file. */
    'checkpoint-log': { type: 'string' },
  },
});
const EVENTS = Number(args.events);
const COUNTS = args.processes.split(',').map(Number);
const kafka = new Kafka({ brokers: [BROKER], clientId: 'sluice-bench-flagship-tasks', logLevel: logLevel.NOTHING });

/**
 * Deletes what a previous run of the flagship as tasks left on the broker: its task group
 * topic, repartition topics, and every consumer group named after the job (stage readers,
 * checkpoint markers, task group). Stale committed offsets there would be read by a fresh run.
 */
async function cleanJob(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`sluice.${JOB}.`));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`sluice.${JOB}.`));
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    // Topic deletion is asynchronous: wait until they are gone, so the next run creates them fresh.
    for (let i = 0; i < 50 && (await admin.listTopics()).some((t) => topics.includes(t)); i++) await sleep(200);
  } finally {
    await admin.disconnect();
  }
}

async function dropTable(table: string): Promise<void> {
  await fetch(`${HBASE}/${table}/schema`, { method: 'DELETE' }).catch(() => undefined);
}



async function scrape(port: number, path: string): Promise<{ status: number; text: string } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, text: await res.text() };
  } catch {
    return undefined;
  }
}

/** Activations and actions read (the two Kafka sources, every task). */
async function recordsIn(port: number): Promise<number> {
  const m = await scrape(port, '/metrics');
  let n = 0;
  for (const line of m?.text.split('\n') ?? []) {
    if (line.startsWith('sluice_records_in_total{') && (line.includes('operator="traffic.activations"') || line.includes('operator="traffic.actions"'))) n += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return n;
}

interface Checkpoint { readonly task: string; readonly bytes: number; readonly ms: number; readonly pausedMs: number }
interface Run {
  readonly rate: number;
  readonly cpuPerRecordUs: number;
  /** CPU-µs per record of the services (Kafka, HBase, NATS, Jaeger) over the span. */
  readonly servicesPerRecordUs: number;
  /** The same, per service. */
  readonly perService: ReadonlyMap<string, number>;
  /** Share of the machine's CPU time busy over the span (all processes, all cores). */
  readonly busy: number;
  readonly before: number;
  readonly checkpoints: Checkpoint[];
}
const services = servicePids();

const id = `ft_bench_${Date.now().toString(36)}`;
const topics = { activations: `${id}.activations`, actions: `${id}.actions`, metadata: `${id}.metadata`, deadLetter: `${id}.dead_letter` };
const baseEnv = {
  ...process.env, NODE_ENV: 'production', ACTIVATIONS_TOPIC: topics.activations, ACTIONS_TOPIC: topics.actions, METADATA_TOPIC: topics.metadata,
  DEAD_LETTER_TOPIC: topics.deadLetter, METADATA_BUCKET: `${id}_experiments`, ALERTS_SUBJECT: `${id}.alerts`,
};

async function produce(dir: string): Promise<number> {
  await exec(process.execPath, ['bin/sluice.mjs', 'run', 'pipelines/produce_traffic.yaml', '--set', `job.state_dir=${join(dir, 'produce')}`], {
    cwd: ROOT, env: { ...baseEnv, NODE_ENV: '', EVENTS: String(EVENTS), TOPIC_PARTITIONS: String(PARTITIONS), MALFORMED_SHARE: '0', TRAFFIC_SEED: '1', DEAD_LETTER_TOPIC: `${id}.produce_dl` }, maxBuffer: 64 << 20,
  });
  const admin = kafka.admin();
  await admin.connect();
  let n = 0;
  for (const t of [topics.activations, topics.actions]) for (const p of await admin.fetchTopicOffsets(t)) n += Number(p.high);
  await admin.disconnect();
  return n;
}

async function measure(processes: number, round: number, total: number, dir: string): Promise<Run> {
  await cleanJob();
  const run = `${id}_${round}_${processes}`;
  const tables = [`${run}_counts`, `${run}_stats`, `${run}_cp`];
  const env = { ...baseEnv, JOB_NAME: JOB, KAFKA_GROUP: `sluice.${run}`, COUNTS_TABLE: tables[0]!, STATS_TABLE: tables[1]!, SLUICE_CHECKPOINT_HBASE_TABLE: tables[2]!, RUNS_DIR: join(dir, 'runs'), RUN_ID: run, SLUICE_LOG_LEVEL: 'info', SLUICE_JOB_STATE_DIR: join(dir, 'state') };
  const children: { child: ChildProcess; port: number; log: string[]; tail: string[] }[] = [];
  for (let i = 0; i < processes; i++) {
    const port = await freePort();
    const profile = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(args['cpu-prof'])}`] : [];
    const child = spawn(process.execPath, [...profile, 'bin/sluice.mjs', 'run', 'pipelines/experiment_analytics.yaml', '--profile', 'production', '--set', 'job.tasks=true', '--set', 'job.task_session_timeout=6s', '--set', `metrics.port=${port}`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log: string[] = [];
    /** The last lines, whatever they say: shown when the tasks do not settle. */
    const tail: string[] = [];
    let rest = '';
    const take = (b: Buffer) => {
      const lines = (rest + b.toString()).split('\n');
      rest = lines.pop()!;
      for (const l of lines) {
        if (l.includes('complete')) log.push(l);
        tail.push(l);
      }
      if (tail.length > 400) tail.splice(0, tail.length - 200);
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    children.push({ child, port, log, tail });
  }
  try {
    const count = async () => (await Promise.all(children.map((c) => recordsIn(c.port)))).reduce((a, b) => a + b, 0);
    const cpu = () => children.reduce((s, c) => s + cpuSeconds(c.child.pid!), 0);
    const settled = Date.now() + 180_000;
    for (;;) {
      const bodies = await Promise.all(children.map((c) => scrape(c.port, '/ready')));
      if (Date.now() > settled) {
        const shown = children.map((c, i) => `--- process ${i}: /ready ${bodies[i]?.status ?? 'no answer'} ${bodies[i]?.text.trim() ?? ''}\n${c.tail.slice(-60).join('\n')}`).join('\n');
        throw new Error(`${processes} processes: the tasks did not settle in 3 min\n${shown}`);
      }
      const owned = bodies.map((b) => (b?.status === 200 ? (/^tasks: (.*)$/m.exec(b.text)?.[1] ?? '').split(' ').filter(Boolean).length : 0));
      if (owned.every((n) => n > 0) && owned.reduce((a, b) => a + b, 0) === PARTITIONS) break;
      await sleep(200);
    }
    // The span starts as soon as the tasks have settled: the flagship's 8 stage tasks take a
    // while to be ready, and each reads as soon as it is.
    const first = { at: performance.now(), cpu: cpu(), services: servicesCpuSeconds(services), machine: machineCpuSeconds(), n: await count() };
    if (first.n > total * 0.7) throw new Error(`${processes} processes read ${first.n} of ${total} records before the span began: give more --events`);
    const deadline = Date.now() + 600_000;
    for (let n = first.n; n < total; n = await count()) {
      if (Date.now() > deadline) throw new Error(`${processes} processes: ${n} of ${total} records after 10 min`);
      await sleep(100);
    }
    const last = { at: performance.now(), cpu: cpu(), services: servicesCpuSeconds(services), machine: machineCpuSeconds() };
    const records = total - first.n;
    // Checkpoints complete after the records are read too: give the last ones a moment.
    await sleep(3000);
    if (args['checkpoint-log']) appendFileSync(args['checkpoint-log'], children.flatMap((c) => c.log).map((l) => `${l}\n`).join(''));
    const checkpoints = children.flatMap((c) => c.log.flatMap((l) => {
      try {
        const j = JSON.parse(l) as { msg?: string; task?: string; bytes?: number; duration_ms?: number; paused_ms?: number };
        return /^checkpoint \d+ complete$/.test(j.msg ?? '') && j.task ? [{ task: j.task, bytes: j.bytes ?? 0, ms: j.duration_ms ?? 0, pausedMs: j.paused_ms ?? 0 }] : [];
      } catch {
        return [];
      }
    }));
    const busy = last.machine.busy - first.machine.busy;
    return {
      rate: records / ((last.at - first.at) / 1000),
      cpuPerRecordUs: ((last.cpu - first.cpu) / records) * 1e6,
      servicesPerRecordUs: ([...last.services.values()].reduce((a, b) => a + b, 0) - [...first.services.values()].reduce((a, b) => a + b, 0)) / records * 1e6,
      perService: new Map([...last.services].map(([name, s]) => [name, ((s - (first.services.get(name) ?? 0)) / records) * 1e6])),
      busy: busy / (busy + last.machine.idle - first.machine.idle),
      before: first.n,
      checkpoints,
    };
  } finally {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGTERM');
    const exited = Promise.all(children.map((c) => new Promise((done) => (c.child.exitCode !== null || c.child.signalCode !== null ? done(null) : c.child.on('exit', done)))));
    const timer = setTimeout(() => children.forEach((c) => c.child.kill('SIGKILL')), 30_000);
    await exited;
    clearTimeout(timer);
    for (const t of tables) await dropTable(t);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-flagship-tasks-'));
  const runs = new Map<number, Run[]>(COUNTS.map((c) => [c, []]));
  try {
    console.log(`producing ${EVENTS} events of the flagship's traffic over ${PARTITIONS} partitions`);
    const total = await produce(dir);
    console.log(`${total} activations and actions in Kafka`);
    for (let round = 0; round < Number(args.runs); round++) {
      for (const processes of round % 2 ? [...COUNTS].reverse() : COUNTS) {
        const r = await measure(processes, round, total, dir);
        runs.get(processes)!.push(r);
        console.log(`round ${round + 1}, ${processes} process(es): ${Math.round(r.rate)} records/s, ${r.cpuPerRecordUs.toFixed(1)} CPU-µs per record (${r.before} read before the span), services ${r.servicesPerRecordUs.toFixed(1)} CPU-µs per record (${[...r.perService].map(([n, us]) => `${n} ${us.toFixed(1)}`).join(', ')}), machine ${(r.busy * 100).toFixed(0)} % busy, ${r.checkpoints.length} checkpoints`);
      }
    }
  } finally {
    await cleanJob().catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [...Object.values(topics), `${id}.produce_dl`] }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
  const one = median(runs.get(COUNTS[0]!)!.map((r) => r.rate));
  const oneCpu = median(runs.get(COUNTS[0]!)!.map((r) => r.cpuPerRecordUs));
  console.log(`\nservices measured: ${[...services.keys()].join(', ') || 'none (not started by scripts/services)'}`);
  console.log(`| processes | records/s (median) | × ${COUNTS[0]} process | CPU-µs per record (median) | vs ${COUNTS[0]} process | services' CPU-µs per record | machine busy |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const c of COUNTS) {
    const rate = median(runs.get(c)!.map((r) => r.rate));
    const cpu = median(runs.get(c)!.map((r) => r.cpuPerRecordUs));
    const svc = median(runs.get(c)!.map((r) => r.servicesPerRecordUs));
    const busy = median(runs.get(c)!.map((r) => r.busy));
    console.log(`| ${c} | ${Math.round(rate)} | ${(rate / one).toFixed(2)} | ${cpu.toFixed(1)} | ${((cpu / oneCpu - 1) * 100).toFixed(0)} % | ${svc.toFixed(1)} | ${(busy * 100).toFixed(0)} % |`);
  }
  // Checkpoints per stage task, every run: median and largest size and duration.
  const all = [...runs.values()].flat().flatMap((r) => r.checkpoints);
  const stages = new Map<string, Checkpoint[]>();
  for (const c of all) {
    const stage = c.task.includes('.') ? c.task.slice(0, c.task.lastIndexOf('.')) : '(first stage)';
    stages.set(stage, [...(stages.get(stage) ?? []), c]);
  }
  console.log('\n| stage | checkpoints | size per task (median, max) | duration per task (median, max) | sources paused (median, max) |');
  console.log('|---|---|---|---|---|');
  for (const [stage, cs] of stages) {
    const kb = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
    console.log(`| ${stage} | ${cs.length} | ${kb(median(cs.map((c) => c.bytes)))}, ${kb(Math.max(...cs.map((c) => c.bytes)))} | ${median(cs.map((c) => c.ms)).toFixed(0)} ms, ${Math.max(...cs.map((c) => c.ms))} ms | ${median(cs.map((c) => c.pausedMs)).toFixed(0)} ms, ${Math.max(...cs.map((c) => c.pausedMs))} ms |`);
  }
}

await main();
