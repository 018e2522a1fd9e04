/**
 * The flagship's production profile run as tasks (`job.tasks`) by 3 processes of the compiled
 * `sluice run`, on the real Kafka, HBase and NATS (docs/scale.md). Three cases: without a
 * failure (1, 3, 4), with a process killed (1–4), and 1 → 2 → 1 processes (a process added
 * mid-run, then the first stopped with SIGTERM; 3, 4; skipped unless SLUICE_TEST_TASKS_SCALE=1:
 * not reliable yet).
 *
 * 1. The traffic (4 partitions per topic) is produced; 3 processes start and share the 4
 *    tasks of each of the job's 2 stages (cut where `counts` repartitions by experiment),
 *    checkpointing to HBase every 2 s.
 * 2. Once every stage task has completed a checkpoint and a quarter of the records are read,
 *    a process that owns tasks gets SIGKILL. The survivors take its tasks over after the
 *    session timeout (10 s); the test logs the time from the kill to the first record the
 *    survivors process for a moved task (read from their /metrics).
 * 3. Once the tasks' consumer groups have committed every offset of both topics, the
 *    survivors are told to drain (SIGUSR2): every task ends its input, fires its windows and
 *    timers, commits, writes its files' run summary under `tasks/<task id>/` and the
 *    processes exit 0.
 * 4. `sluice validate` on the run folder reads the union of the tasks' files: the HBase
 *    counts table equals the DuckDB recomputation from the archive, every record read is
 *    archived once, conservation holds.
 *
 * A `.serial.test.ts` file: it runs alone, after the other tests.
 */
import { after, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatReport, validateRun } from '../../plugins/experiment-analytics/validate/index.ts';
import { testNats } from '../../lib/nats-client/test-support.ts';
import { deadline, deployment, metric, produce, recordsToRead, runFolder, scrape, sleep, startJob, until } from './flagship-production.ts';
import type { Deployment, RunningJob } from './flagship-production.ts';
import { dropTables, hbase } from './hbase-helpers.ts';
import { cleanup, committed, endOffsets, withAdmin } from './kafka-helpers.ts';

const PARTITIONS = 4;
// Enough that the job is still reading when a quarter is read and every task has checkpointed.
const TOTAL = Number(process.env.SLUICE_TEST_TASKS_KILL_EVENTS ?? 200_000);
/** The case without a failure: small enough to be quick. */
const SMALL = 80_000;
/**
 * The 1 → 2 → 1 case: enough that the job is still reading at both changes (at 200,000 on a
 * lightly loaded machine the first stage's first checkpoints came after 77–88 % was read).
 */
const SCALE = Number(process.env.SLUICE_TEST_TASKS_SCALE_EVENTS ?? 800_000);
const MALFORMED = 0.005;
/** The job's name (its task group, internal topics and their groups are named after it): this run's own. */
const JOB = `ft_job_${Date.now().toString(36)}`;
const STAGE2 = 'joined_by_experiment';

/** The deployment of the test running (each test has its own topics, bucket, tables, groups). */
let d: Deployment;
const deployments: Deployment[] = [];
// The default session timeout (10 s): on this shared 2-core machine a process can stall for
// several seconds, and a shorter one moves tasks away from live processes (docs/scale.md).
const env = {
  JOB_NAME: JOB, SLUICE_CHECKPOINT_INTERVAL: '2s', KAFKA_SESSION_TIMEOUT: '10s', SLUICE_LOG_LEVEL: 'info',
};
const args = ['--set', 'job.tasks=true', '--set', 'job.task_session_timeout=10s'];
const procs: RunningJob[] = [];
const taskGroups = (x: Deployment, topic: 'activations' | 'actions') => Array.from({ length: PARTITIONS }, (_, i) => `${x.env['KAFKA_GROUP']!}.${topic}.task-${i}`);

/**
 * What a run of the flagship as tasks leaves on the broker under the job's name (its task
 * group, repartition topics, their readers' groups, the checkpoint markers' groups): deleted
 * before and after, as stale committed offsets there would be read by a fresh run.
 */
async function cleanJob(): Promise<void> {
  await withAdmin(async (a) => {
    const groups = (await a.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`sluice.${JOB}.`));
    if (groups.length) await a.deleteGroups(groups).catch(() => undefined);
    const topics = (await a.listTopics()).filter((x) => x.startsWith(`sluice.${JOB}.`));
    if (topics.length) await a.deleteTopics({ topics }).catch(() => undefined);
    for (let i = 0; i < 50 && (await a.listTopics()).some((x) => topics.includes(x)); i++) await sleep(200);
  });
}

after(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  // SLUICE_TEST_KEEP=1 keeps every process's whole output beside the run folder.
  if (process.env.SLUICE_TEST_KEEP === '1' && d) procs.forEach((p, i) => writeFileSync(join(d.dir, `process-${i}.log`), p.output()));
  // SLUICE_TEST_KEEP=1 keeps the job's topics too (repartition, dead letter), to read after a failure.
  const keep = process.env.SLUICE_TEST_KEEP === '1';
  if (!keep) await cleanJob();
  const nats = await testNats();
  for (const x of deployments) {
    if (!keep) await cleanup(...Object.values(x.topics));
    await withAdmin((a) => a.deleteGroups([...taskGroups(x, 'activations'), ...taskGroups(x, 'actions')])).catch(() => undefined);
    if (process.env.SLUICE_TEST_KEEP !== '1') await dropTables(Object.values(x.tables));
    // SLUICE_TEST_KEEP=1 keeps the run folders (and the HBase tables) for a look after a failure.
    if (process.env.SLUICE_TEST_KEEP !== '1') rmSync(x.dir, { recursive: true, force: true });
  }
  // Once for every test's bucket: the cleanup closes the connection.
  await nats.cleanup([], deployments.map((x) => x.bucket));
});

interface LogLine { readonly time: string; readonly msg: string; readonly task?: string; readonly tasks?: number[] }
const logLines = (p: RunningJob): LogLine[] => p.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
const owned = (p: RunningJob): number[] => logLines(p).filter((l) => l.msg.startsWith('tasks assigned')).at(-1)?.tasks ?? [];
/** Each process's first errors and task assignments (where a failure starts), then its last lines. */
const show = () => procs.map((p, i) => {
  const lines = p.output().split('\n');
  const early = lines.filter((l) => l.includes('"level":"error"') || l.includes('tasks assigned')).slice(0, 15);
  return `--- process ${i} (exit ${p.child.exitCode ?? p.child.signalCode ?? 'running'})\n${early.join('\n')}\n...\n${lines.slice(-25).join('\n')}`;
}).join('\n');

/** Records of the two Kafka inputs a process has read for task `task-<i>`, by its /metrics. */
async function readFor(p: RunningJob, i: number): Promise<number | undefined> {
  const m = await scrape(p.metricsPort);
  if (!m) return undefined;
  return ['traffic.activations', 'traffic.actions'].reduce((n, operator) => n + (metric(m, 'sluice_records_in_total', { operator, task: `task-${i}` }) ?? 0), 0);
}

/** Partitions whose task group has not committed their end offset yet (`topic:p committed/end`). */
async function behind(): Promise<string[]> {
  const out: string[] = [];
  for (const topic of ['activations', 'actions'] as const) {
    const end = await endOffsets(d.topics[topic]);
    for (let i = 0; i < PARTITIONS; i++) {
      const done = await committed(`${d.env['KAFKA_GROUP']!}.${topic}.task-${i}`, d.topics[topic]).catch(() => ({} as Record<number, number>));
      if ((done[i] ?? -1) < end[i]!) out.push(`${topic}:${i} ${done[i] ?? -1}/${end[i]}`);
    }
  }
  return out;
}

/** A fresh deployment, the traffic produced, the checkpoint table ready, `n` processes started. */
async function start(label: string, total: number, n = 3): Promise<void> {
  for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  d = deployment(label);
  deployments.push(d);
  await cleanJob();
  await produce(d, total, MALFORMED, PARTITIONS);
  // The checkpoint table made before any process starts and scanned until its region answers:
  // a table created a moment ago may answer HTTP 410 while its region opens (an HBase REST
  // race that would fail a task's first restore, not what is tested here).
  await hbase.createTable(d.tables.checkpoints, [{ name: 'd' }, { name: 'm' }]);
  await until(`table ${d.tables.checkpoints} answers scans`, 30_000, async () => (await hbase.scan(d.tables.checkpoints).then(() => true, () => undefined)), 500);
  for (let i = 0; i < n; i++) procs.push(await startProcess());
  await spread(procs);
}

const startProcess = () => startJob(d, args, { ...env, SLUICE_JOB_STATE_DIR: join(d.dir, 'state') });

/** Until the 4 tasks are spread over `running` (each owns one at least). */
async function spread(running: readonly RunningJob[]): Promise<void> {
  await until(`the 4 tasks spread over ${running.length} process(es)`, 120_000, async () => {
    for (const p of running) assert.equal(p.child.exitCode, null, `a process exited early\n${show()}`);
    return running.every((p) => owned(p).length > 0) && running.reduce((n, p) => n + owned(p).length, 0) === PARTITIONS ? true : undefined;
  }, 500);
}

/** Records of the two Kafka inputs read by all processes (their /metrics). */
async function readByAll(): Promise<number> {
  let n = 0;
  for (const p of procs) {
    const m = await scrape(p.metricsPort);
    if (m) n += ['traffic.activations', 'traffic.actions'].reduce((a, operator) => a + (metric(m, 'sluice_records_in_total', { operator }) ?? 0), 0);
  }
  return n;
}

/** Stage tasks (of both stages) with a completed checkpoint, by the processes' logs. */
const checkpointed = () => new Set(procs.flatMap((p) => logLines(p).filter((l) => / complete$/.test(l.msg) && l.msg.includes('checkpoint')).map((l) => l.task)));

/** Waits until every offset is committed, drains the running processes (SIGUSR2), and validates the run folder. */
async function drainAndValidate(t: TestContext, total: number, running: readonly RunningJob[]): Promise<void> {
  const expected = recordsToRead(total, MALFORMED, PARTITIONS);
  const commitDeadline = Date.now() + 360_000;
  for (let left = await behind(); left.length > 0; left = await behind()) {
    if (Date.now() > commitDeadline) assert.fail(`not every offset committed after 360 s: ${left.join(', ')}\n${show()}`);
    await sleep(1000);
  }
  await sleep(2000);
  for (const p of running) p.child.kill('SIGUSR2');
  for (const p of running) {
    const code = await Promise.race([p.exited, deadline(180_000, 'timeout')]);
    assert.equal(code, 0, `a process did not drain and exit 0 (${code}):\n${show()}`);
  }
  const folder = runFolder(d);
  const tasks = readdirSync(join(folder, 'tasks')).sort();
  t.diagnostic(`task folders: ${tasks.join(', ')} in ${folder}`);
  assert.equal(tasks.length, 2 * PARTITIONS, 'one folder per stage task');
  assert.equal(existsSync(join(folder, 'summary.json')), false, 'no whole-run summary: each task has its own');
  const report = await validateRun({ run: folder });
  const text = formatReport(report);
  t.diagnostic(text.split('\n').slice(0, 12).join('\n'));
  assert.deepEqual(report.mismatches, [], text);
  assert.deepEqual(report.failures, [], text);
  assert.ok(report.rowsCompared > 0);
  // Exactly once: every activation and action read is archived once (malformed ones are dead-lettered).
  assert.equal(report.archived.activations + report.archived.actions + expected.malformed, expected.activations + expected.actions, JSON.stringify(report.archived));
  // The metadata bucket is read by every task of the first stage.
  assert.equal(report.archived.metadata, PARTITIONS * expected.experiments);
}

void test('the flagship as tasks by 3 processes drains, and `sluice validate` finds the HBase counts equal to the recomputation from the union of the tasks\' files', { timeout: 480_000 }, async (t) => {
  await start('ft_tasks', SMALL);
  await drainAndValidate(t, SMALL, procs);
});

void test('the flagship as tasks: 3 processes, one killed with kill -9, the survivors take over, drain, and `sluice validate` is clean', {
  timeout: 720_000,
  // Runs in `npm test` again since checkpoints no longer stall the processes past their session
  // timeout (unaligned checkpoints; docs/scale.md §4); SLUICE_TEST_TASKS_KILL=0 skips it.
  skip: process.env.SLUICE_TEST_TASKS_KILL === '0' ? 'SLUICE_TEST_TASKS_KILL=0' : false,
}, async (t) => {
  await start('ft_tasks_kill', TOTAL);
  const expected = recordsToRead(TOTAL, MALFORMED, PARTITIONS);
  // Every stage task has completed a checkpoint, so a new owner restores one.
  await until('a completed checkpoint in every task of both stages', 180_000, async () => (checkpointed().size >= 2 * PARTITIONS ? true : undefined), 200);
  const read = await until('a quarter of the records read', 120_000, async () => {
    const n = await readByAll();
    return n >= 0.25 * expected.total ? n : undefined;
  }, 100);

  // 2. kill -9 the process whose tasks have the most records left to read, so the moved
  // tasks have records to process after the takeover (a task whose partitions were read to
  // the end before the kill would never show one).
  const ends = { activations: await endOffsets(d.topics.activations), actions: await endOffsets(d.topics.actions) };
  let victim = procs.find((p) => owned(p).length > 0)!;
  let most = -1;
  for (const p of procs) {
    let left = 0;
    for (const i of owned(p)) left += ends.activations[i]! + ends.actions[i]! - ((await readFor(p, i)) ?? 0);
    if (owned(p).length > 0 && left > most) [victim, most] = [p, left];
  }
  const moved = owned(victim);
  const survivors = procs.filter((p) => p !== victim);
  const baseline = new Map<string, number>();
  victim.child.kill('SIGKILL');
  const killedAt = Date.now();
  await victim.exited;
  t.diagnostic(`killed at ${read} of ${expected.total} records read, ~${most} left in the killed process's tasks`);
  let firstRecordAt: number | undefined;
  const takeoverDeadline = Date.now() + 120_000;
  await until('a survivor processing a record of a moved task', 130_000, async () => {
    if (Date.now() > takeoverDeadline) assert.fail(`no survivor processed a record of task(s) ${moved.join(', ')} in 120 s; first values seen: ${JSON.stringify([...baseline])}\n${show()}`);
    for (const p of survivors) {
      for (const i of moved) {
        const n = await readFor(p, i);
        if (n === undefined) continue;
        const key = `${survivors.indexOf(p)}/${i}`;
        // The first value seen is the restored count (or 0); processing shows as an increase.
        if (!baseline.has(key)) baseline.set(key, n);
        else if (n > baseline.get(key)!) firstRecordAt ??= Date.now();
      }
    }
    return firstRecordAt;
  }, 100);
  const restored = survivors.flatMap((p) => logLines(p).filter((l) => moved.some((i) => l.task === `task-${i}` || l.task === `${STAGE2}.task-${i}`) && l.msg.startsWith('restoring checkpoint')).map((l) => Date.parse(l.time)));
  t.diagnostic(`tasks ${moved.map((i) => `task-${i}`).join(', ')} moved: ${Math.min(...restored) - killedAt} ms from SIGKILL to the first restore, ${firstRecordAt! - killedAt} ms to the first record processed for them (10 s session timeout)`);

  await drainAndValidate(t, TOTAL, survivors);
});

void test('the flagship as tasks: 1 process, a second added mid-run (1 → 2), then the first stopped with SIGTERM (2 → 1); the last one drains and `sluice validate` is clean', {
  timeout: 720_000,
  // Passed 2 runs in a row at 800,000 events, but one earlier run under a heavier load ended
  // with 25 `triggered` counts short in one counts task, not yet explained (docs/scale.md).
  // It runs when asked for; SLUICE_TEST_KEEP=1 keeps the topics to read back after a failure.
  skip: process.env.SLUICE_TEST_TASKS_SCALE === '1' ? false : 'not reliable yet (docs/scale.md): one run ended with triggered counts short after 1 → 2 → 1; SLUICE_TEST_TASKS_SCALE=1 runs it',
}, async (t) => {
  await start('ft_tasks_scale', SCALE, 1);
  const [first] = procs;
  const expected = recordsToRead(SCALE, MALFORMED, PARTITIONS);
  await until('a completed checkpoint in every task of both stages', 120_000, async () => (checkpointed().size >= 2 * PARTITIONS ? true : undefined), 200);
  const at = await until('a fifth of the records read', 120_000, async () => {
    const n = await readByAll();
    return n >= 0.2 * expected.total ? n : undefined;
  }, 100);
  // 1 → 2: the sticky assignment moves half of the tasks to the new process; the first checkpoints them and lets go.
  const second = await startProcess();
  procs.push(second);
  await spread([first!, second]);
  const moved = owned(second);
  t.diagnostic(`1 → 2 at ${at} of ${expected.total} records read: task(s) ${moved.join(', ')} moved to the second process`);
  // Running there: a record read, or (a task whose partitions were already read to the end
  // reads none) its first-stage instance restored and checkpointed by the second process.
  const runs = (i: number) => logLines(second).some((l) => l.task === `task-${i}` && / complete$/.test(l.msg));
  await until('the second process running its tasks', 120_000, async () => {
    for (const i of moved) if (((await readFor(second, i)) ?? 0) === 0 && !runs(i)) return undefined;
    return true;
  }, 200);
  // 2 → 1: the first stops gracefully (its tasks checkpointed, then it leaves the group), the second takes every task.
  first!.child.kill('SIGTERM');
  const stoppedAt = Date.now();
  assert.equal(await Promise.race([first!.exited, deadline(120_000, 'timeout')]), 0, `the first process did not stop and exit 0:\n${show()}`);
  await until('the second process owning every task', 120_000, async () => (owned(second).length === PARTITIONS ? true : undefined), 200);
  t.diagnostic(`2 → 1: the first process exited ${Date.now() - stoppedAt} ms after SIGTERM; the second owns ${owned(second).map((i) => `task-${i}`).join(', ')}`);
  await drainAndValidate(t, SCALE, [second]);
});
