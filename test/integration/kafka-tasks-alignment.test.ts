/**
 * Watermark alignment across the tasks of a job, on the real broker: the backfill of
 * kafka-watermark-alignment.test.ts — one topic of 4 partitions covering the same four days
 * of event time, two big (20 000 records each), two small (1 000 each, plus records two days
 * behind their predecessors) — run as tasks (`job.tasks`) by 2 processes of `sluice run`.
 * The job re-keys by user through a repartition topic before a keyed tumbling
 * `window_aggregate`, so the windows are judged against the minimum over the 4 upstream
 * tasks (in-band watermarks): each task reads one partition, and without alignment across
 * tasks the small partitions' tasks race ahead of the big ones, whose watermarks then hold
 * the windows open for records two days late. With alignment on (`max_drift: 1m`, the job's
 * minimum shared through the watermark board `sluice.<job>.watermarks`), every record late
 * within its partition is declared late and nothing else is; with it off, some are counted.
 *
 * Each run: input produced first (a backfill), both processes started at once (the first to
 * join takes every task, the second takes two over: they move mid-run), then, once every
 * task's offsets are committed at the end of its partition, SIGUSR2 drains both; the late
 * and count files are read from each stage task's folder.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { produceBackfill } from './alignment-backfill.ts';
import type { Action } from './alignment-backfill.ts';
import { BROKERS, cleanup, committed, createTopic, endOffsets, readAll, unique, withAdmin } from './kafka-helpers.ts';

const REPO = new URL('../..', import.meta.url).pathname;
const PARTITIONS = 4;

const topic = unique('align-tasks');
const dir = mkdtempSync(join(tmpdir(), 'sluice-align-tasks-'));
const jobs: string[] = [];
const procs: Proc[] = [];

after(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  const internal = jobs.flatMap((job) => [`sluice.${job}.tasks`, `sluice.${job}.by_user.repartition`, `sluice.${job}.watermarks`]);
  await cleanup(topic, ...internal);
  await withAdmin(async (a) => {
    const mine = (await a.listGroups()).groups.map((g) => g.groupId).filter((g) => jobs.some((job) => g.startsWith(`sluice.${job}.`)));
    if (mine.length) await a.deleteGroups(mine).catch(() => undefined);
  });
  rmSync(dir, { recursive: true, force: true });
});

interface Proc {
  readonly child: ChildProcessWithoutNullStreams;
  output(): string;
  readonly exited: Promise<number | null>;
}

function start(file: string, state: string): Proc {
  const args = ['bin/sluice.mjs', 'run', file, '--set', 'job.tasks=true', '--set', 'job.task_session_timeout=6s', '--set', 'engine.batch_size=64'];
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: { ...process.env, NODE_ENV: 'development', SLUICE_JOB_STATE_DIR: state, SLUICE_CHECKPOINT_INTERVAL: '1s', SLUICE_LOG_LEVEL: 'info' },
  }) as ChildProcessWithoutNullStreams;
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const p = { child, output: () => out, exited: new Promise<number | null>((resolve) => child.on('close', resolve)) };
  procs.push(p);
  return p;
}

const logLines = (p: Proc) => p.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; task?: string });
const show = (ps: readonly Proc[]) => ps.map((p, i) => `--- process ${i}\n${p.output().split('\n').slice(-25).join('\n')}`).join('\n');

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number, ps: readonly Proc[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}\n${show(ps)}`);
    await sleep(500);
  }
}

/** Every line of the files named `name` in the stage tasks' folders (the file at the path: the instance that checkpointed last). */
function taskLines(run: string, name: string): Record<string, unknown>[] {
  const tasks = join(run, 'tasks');
  if (!existsSync(tasks)) return [];
  return readdirSync(tasks).flatMap((task) => {
    const file = join(tasks, task, name);
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  });
}

async function run(label: string, total: number, alignment: boolean): Promise<{ job: string; late: string[]; counted: number; tasks: number[] }> {
  const job = `align_${label}_${Date.now().toString(36)}`;
  jobs.push(job);
  const run = join(dir, label);
  const file = join(dir, `${label}.yaml`);
  writeFileSync(file, `name: ${job}
sources:
  actions:
    kafka: { topic: ${topic}, brokers: ["${BROKERS[0]}"], start: earliest, session_timeout: 6s, meta: false }
    event_time: { field: ts, max_out_of_orderness: 30s, idle_timeout: 3s${alignment ? ', alignment: { max_drift: 1m }' : ''} }
operators:
  by_user: { input: actions, repartition: { key: user } }
  per_user:
    input: by_user
    window_aggregate: { key: user, window: { tumbling: 1h }, allowed_lateness: 5m, aggregates: { n: count } }
sinks:
  out: { input: per_user, file: { path: ${join(run, 'out.jsonl')} } }
late: { file: { path: ${join(run, 'late.jsonl')} } }
`);
  const started = Date.now();
  const ps = [start(file, join(run, 'state')), start(file, join(run, 'state'))];
  const ends = await endOffsets(topic);
  const done = async () => {
    for (let i = 0; i < PARTITIONS; i++) {
      const at = await committed(`sluice.${job}.actions.task-${i}`, topic).catch(() => ({}) as Record<number, number>);
      if (at[i] !== ends[i]) return false;
    }
    return true;
  };
  await until(`${label}: every task's offsets committed at the end of its partition`, done, 240_000, ps);
  const read = Date.now() - started;
  for (const p of ps) p.child.kill('SIGUSR2');
  for (const p of ps) assert.equal(await p.exited, 0, show(ps));
  // Who ran what: the process that drains a stage task says so.
  const drained = ps.map((p) => new Set(logLines(p).filter((l) => l.msg === 'stopping: the job is draining').map((l) => l.task)).size);
  console.log(`${label}: input read and committed ${read} ms after the start; stage tasks drained per process: ${drained.join(', ')}`);

  const late = taskLines(run, 'late.jsonl').map((row) => (row.record as Action).id).sort();
  // The last emission of each window holds its final count.
  const windows = new Map<string, number>();
  for (const row of taskLines(run, 'out.jsonl')) windows.set(`${String(row.user)}@${String(row.window_start)}`, row.n as number);
  assert.equal(taskLines(run, 'late.jsonl').length, late.length);
  return { job, late, counted: [...windows.values()].reduce((a, b) => a + b, 0), tasks: drained };
}

void test('a backfill over 4 partitions as tasks of 2 processes: with alignment across tasks every record two days late within its partition is declared late; without, some are counted', { timeout: 600_000 }, async () => {
  await createTopic(topic, PARTITIONS);
  const { total, late } = await produceBackfill(topic);
  assert.equal(late.length, 24);

  const on = await run('on', total, true);
  assert.deepEqual(on.late, late, 'exactly the records late within their own partition');
  assert.equal(on.counted, total - late.length);
  assert.ok(on.tasks.every((n) => n > 0), `both processes ran tasks to the end: ${on.tasks.join(', ')}`);
  // The board: one compacted partition; both processes published; every task's last entry says it ended (idle: null).
  const board = `sluice.${on.job}.watermarks`;
  const config = await withAdmin((a) => a.describeConfigs({ resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: board }], includeSynonyms: false }));
  assert.equal(config.resources[0]!.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue, 'compact');
  const entries = (await readAll(board)).map((m) => JSON.parse(m.value) as { task: string; process: string; groups: Record<string, unknown> });
  assert.ok(entries.every((e) => e.groups.default !== undefined));
  assert.equal(new Set(entries.map((e) => e.process)).size, 2, 'both processes published');
  const last = new Map(entries.map((e) => [e.task, e.groups.default]));
  assert.deepEqual([...last].sort(), [['task-0', null], ['task-1', null], ['task-2', null], ['task-3', null]]);

  const off = await run('off', total, false);
  const counted = late.filter((id) => !off.late.includes(id));
  console.log(`alignment off: ${counted.length} of ${late.length} late records counted`);
  assert.ok(counted.length > 0, `without alignment some late records are counted (late: ${off.late.length} of ${late.length})`);
  assert.ok(off.late.every((id) => late.includes(id)), 'only injected records can be late');
  assert.equal(off.counted, total - off.late.length);
});
