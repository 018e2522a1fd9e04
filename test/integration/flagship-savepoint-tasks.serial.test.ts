/**
 * Savepoints of the flagship's production profile run as tasks (docs/architecture.md §5,
 * Savepoints), on the real Kafka, HBase and NATS: 1 process, stopped with a savepoint
 * (`sluice savepoint`); restored with 3 processes (`--from-savepoint`), stopped with a second
 * savepoint; restored with 1, which drains (SIGUSR2). `sluice validate` on the run folder:
 * the HBase counts equal the DuckDB recomputation from the union of the tasks' files, and
 * every record read is archived once.
 *
 * A `.serial.test.ts` file: it runs alone, after the other tests.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatReport, validateRun } from '../../plugins/experiment-analytics/validate/index.ts';
import { testNats } from '../../lib/nats-client/test-support.ts';
import { deadline, deployment, produce, recordsToRead, runFolder, sleep, startJob, until } from './flagship-production.ts';
import type { Deployment, RunningJob } from './flagship-production.ts';
import { dropTables, hbase } from './hbase-helpers.ts';
import { cleanup, committed, endOffsets, withAdmin } from './kafka-helpers.ts';

const exec = promisify(execFile);
const PARTITIONS = 4;
// One process reads 200,000 events in well under a minute here: more, so that both stops fall mid-run.
const TOTAL = Number(process.env.SLUICE_TEST_SAVEPOINT_EVENTS ?? 600_000);
const MALFORMED = 0.005;
const JOB = `fsp_job_${Date.now().toString(36)}`;
const env = { JOB_NAME: JOB, SLUICE_CHECKPOINT_INTERVAL: '2s', KAFKA_SESSION_TIMEOUT: '10s', SLUICE_LOG_LEVEL: 'info' };
const args = ['--set', 'job.tasks=true', '--set', 'job.task_session_timeout=10s'];

let d: Deployment | undefined;
const procs: RunningJob[] = [];

/** The job's task group, repartition topics and their groups (named after the job). */
async function cleanJob(): Promise<void> {
  await withAdmin(async (a) => {
    const groups = (await a.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`sluice.${JOB}.`));
    if (groups.length) await a.deleteGroups(groups).catch(() => undefined);
    const topics = (await a.listTopics()).filter((x) => x.startsWith(`sluice.${JOB}.`));
    if (topics.length) await a.deleteTopics({ topics }).catch(() => undefined);
  });
}

after(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  if (process.env.SLUICE_TEST_KEEP === '1' && d) procs.forEach((p, i) => writeFileSync(join(d!.dir, `process-${i}.log`), p.output()));
  await cleanJob();
  if (!d) return;
  await cleanup(...Object.values(d.topics));
  const groups = ['activations', 'actions'].flatMap((t) => Array.from({ length: PARTITIONS }, (_, i) => `${d!.env['KAFKA_GROUP']!}.${t}.task-${i}`));
  await withAdmin((a) => a.deleteGroups(groups)).catch(() => undefined);
  if (process.env.SLUICE_TEST_KEEP !== '1') {
    await dropTables(Object.values(d.tables));
    rmSync(d.dir, { recursive: true, force: true });
  }
  const nats = await testNats();
  await nats.cleanup([], [d.bucket]);
});

interface LogLine { readonly msg: string; readonly task?: string; readonly tasks?: number[] }
const logLines = (p: RunningJob): LogLine[] => p.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
const owned = (p: RunningJob): number[] => logLines(p).filter((l) => l.msg.startsWith('tasks assigned')).at(-1)?.tasks ?? [];
const show = (running: readonly RunningJob[]) => running.map((p, i) => {
  const lines = p.output().split('\n');
  const early = lines.filter((l) => l.includes('"level":"error"') || l.includes('tasks assigned') || l.includes('savepoint')).slice(0, 20);
  return `--- process ${i} (exit ${p.child.exitCode ?? p.child.signalCode ?? 'running'})\n${early.join('\n')}\n...\n${lines.slice(-20).join('\n')}`;
}).join('\n');

const startProcess = (extra: readonly string[] = []) => startJob(d!, [...args, ...extra], { ...env, SLUICE_JOB_STATE_DIR: join(d!.dir, 'state') });

async function startProcesses(n: number, extra: readonly string[] = []): Promise<RunningJob[]> {
  const running: RunningJob[] = [];
  for (let i = 0; i < n; i++) running.push(await startProcess(extra));
  procs.push(...running);
  await until(`the ${PARTITIONS} tasks spread over ${n} process(es)`, 120_000, async () => {
    for (const p of running) assert.equal(p.child.exitCode, null, `a process exited early\n${show(running)}`);
    return running.every((p) => owned(p).length > 0) && running.reduce((k, p) => k + owned(p).length, 0) === PARTITIONS ? true : undefined;
  }, 500);
  return running;
}

/** Stage tasks with a checkpoint completed by these processes. */
const checkpointed = (running: readonly RunningJob[]) => new Set(running.flatMap((p) => logLines(p).filter((l) => / complete$/.test(l.msg) && l.msg.includes('checkpoint')).map((l) => l.task)));

/** `sluice savepoint` with the processes' config: the stop; every process exits 0 once its tasks stopped. */
async function stopWithSavepoint(running: readonly RunningJob[]): Promise<{ id: string; ms: number }> {
  const started = Date.now();
  const { stdout, stderr } = await exec(process.execPath, ['bin/sluice.mjs', 'savepoint', 'pipelines/experiment_analytics.yaml', '--profile', 'production', ...args], {
    cwd: join(import.meta.dirname, '../..'), env: { ...d!.env, NODE_ENV: 'production', ...env }, timeout: 300_000,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => assert.fail(`sluice savepoint failed: ${error.message}\n${error.stderr ?? ''}\n${show(running)}`));
  const id = stdout.trim();
  assert.match(id, /^sp-\d{8}-\d{6}-[0-9a-f]{4}$/, stderr);
  const ms = Date.now() - started;
  for (const p of running) {
    const code = await Promise.race([p.exited, deadline(120_000, 'timeout')]);
    assert.equal(code, 0, `a process did not stop with savepoint ${id} and exit 0 (${code}):\n${show(running)}`);
  }
  return { id, ms };
}

/** Every stage task restored savepoint `id` in one of these processes (a moved one maybe more than once). */
function restoredEverywhere(running: readonly RunningJob[], id: string): void {
  const restored = new Set(running.flatMap((p) => logLines(p).filter((l) => l.msg.startsWith(`restoring savepoint ${id} `)).map((l) => l.task)));
  assert.equal(restored.size, 2 * PARTITIONS, `tasks that restored ${id}: ${[...restored].join(', ')}\n${show(running)}`);
}

/** Offsets the task groups committed on both topics (with each checkpoint's transaction), summed, and the topics' ends. */
async function progress(): Promise<{ committed: number; end: number }> {
  let done = 0;
  let end = 0;
  for (const topic of ['activations', 'actions'] as const) {
    const ends = await endOffsets(d!.topics[topic]);
    for (let i = 0; i < PARTITIONS; i++) {
      end += ends[i]!;
      const at = await committed(`${d!.env['KAFKA_GROUP']!}.${topic}.task-${i}`, d!.topics[topic]).catch(() => ({} as Record<number, number>));
      done += Math.max(0, at[i] ?? 0);
    }
  }
  return { committed: done, end };
}

/** Partitions whose task group has not committed their end offset yet. */
async function behind(): Promise<string[]> {
  const out: string[] = [];
  for (const topic of ['activations', 'actions'] as const) {
    const end = await endOffsets(d!.topics[topic]);
    for (let i = 0; i < PARTITIONS; i++) {
      const done = await committed(`${d!.env['KAFKA_GROUP']!}.${topic}.task-${i}`, d!.topics[topic]).catch(() => ({} as Record<number, number>));
      if ((done[i] ?? -1) < end[i]!) out.push(`${topic}:${i} ${done[i] ?? -1}/${end[i]}`);
    }
  }
  return out;
}

void test('the flagship as tasks: 1 process stopped with a savepoint, restored with 3, stopped with another, restored with 1, drained: `sluice validate` is clean', { timeout: 900_000 }, async (t) => {
  d = deployment('ft_sp');
  await cleanJob();
  // All the traffic up front (the metadata bucket then changes no more while the job runs);
  // enough that one process is still reading at the first stop and three at the second.
  await produce(d, TOTAL, MALFORMED, PARTITIONS);
  const expected = recordsToRead(TOTAL, MALFORMED, PARTITIONS);
  await hbase.createTable(d.tables.checkpoints, [{ name: 'd' }, { name: 'm' }]);
  await until(`table ${d.tables.checkpoints} answers scans`, 30_000, async () => (await hbase.scan(d!.tables.checkpoints).then(() => true, () => undefined)), 500);

  // 1 process; stopped with a savepoint once every stage task has checkpointed and a fifth is read.
  const one = await startProcesses(1);
  await until('a completed checkpoint in every task of both stages', 180_000, async () => (checkpointed(one).size >= 2 * PARTITIONS ? true : undefined), 200);
  await until('a seventh of the records read', 180_000, async () => ((await progress()).committed >= expected.total / 7 ? true : undefined), 200);
  const stop1 = await stopWithSavepoint(one);
  const first = stop1.id;
  t.diagnostic(`savepoint ${first} with 1 process; \`sluice savepoint\` took ${stop1.ms} ms`);
  // Started without --from-savepoint, a process leaves every task stopped at the savepoint.
  const idle = await startProcess();
  procs.push(idle);
  assert.equal(await Promise.race([idle.exited, deadline(120_000, 'timeout')]), 0, `a process without --from-savepoint ran on:\n${show([idle])}`);
  assert.ok(logLines(idle).some((l) => l.msg.includes(`stopped at savepoint ${first}`)), show([idle]));

  // 3 processes from it; stopped with a second savepoint once they have read on.
  const atFirst = await progress();
  const three = await startProcesses(3, ['--from-savepoint', first]);
  const restoredAt = Date.now();
  // The 3 processes go on where the first stopped: their checkpoints commit offsets past it.
  await until('the 3 processes reading on', 180_000, async () => {
    const now = await progress();
    return checkpointed(three).size >= 2 * PARTITIONS && (now.committed > atFirst.committed || atFirst.committed === atFirst.end) ? true : undefined;
  }, 500);
  restoredEverywhere(three, first);
  const stop2 = await stopWithSavepoint(three);
  const second = stop2.id;
  const atSecond = await progress();
  t.diagnostic(`offsets committed: ${atFirst.committed} of ${atFirst.end} at ${first}, ${atSecond.committed} of ${atSecond.end} at ${second}`);
  t.diagnostic(`savepoint ${second} with 3 processes, ${Date.now() - restoredAt} ms after their restore from ${first}; \`sluice savepoint\` took ${stop2.ms} ms`);
  // A process of the run from the first savepoint that comes late finds its tasks stopped at the second.
  const late = await startProcess(['--from-savepoint', first]);
  procs.push(late);
  assert.equal(await Promise.race([late.exited, deadline(120_000, 'timeout')]), 0, show([late]));
  assert.ok(logLines(late).some((l) => l.msg.includes(`stopped at savepoint ${second}`)), show([late]));

  // 1 process from the second; it drains once every offset is committed.
  const [last] = await startProcesses(1, ['--from-savepoint', second]);
  await until(`every stage task restoring ${second}`, 120_000, async () => {
    try {
      restoredEverywhere([last!], second);
      return true;
    } catch {
      return undefined;
    }
  }, 500);
  const commitBy = Date.now() + 360_000;
  for (let left = await behind(); left.length > 0; left = await behind()) {
    if (Date.now() > commitBy) assert.fail(`not every offset committed after 360 s: ${left.join(', ')}\n${show([last!])}`);
    await sleep(1000);
  }
  await sleep(2000);
  last!.child.kill('SIGUSR2');
  assert.equal(await Promise.race([last!.exited, deadline(180_000, 'timeout')]), 0, `the last process did not drain and exit 0:\n${show([last!])}`);

  // The first savepoint is older than where the tasks are now: refused, nothing runs.
  const refused = await startProcess(['--from-savepoint', first]);
  procs.push(refused);
  assert.equal(await Promise.race([refused.exited, deadline(120_000, 'timeout')]), 3, show([refused]));
  assert.match(refused.output(), /E_SAVEPOINT.*savepoint \S+ is not where the job stopped/, show([refused]));

  const folder = runFolder(d);
  const tasks = readdirSync(join(folder, 'tasks')).sort();
  assert.equal(tasks.length, 2 * PARTITIONS, `one folder per stage task: ${tasks.join(', ')}`);
  assert.equal(existsSync(join(folder, 'summary.json')), false);
  const report = await validateRun({ run: folder });
  const text = formatReport(report);
  t.diagnostic(text.split('\n').slice(0, 12).join('\n'));
  assert.deepEqual(report.mismatches, [], text);
  assert.deepEqual(report.failures, [], text);
  assert.ok(report.rowsCompared > 0);
  // Exactly once across both stops and restores: every activation and action read is archived once.
  assert.equal(report.archived.activations + report.archived.actions + expected.malformed, expected.activations + expected.actions, JSON.stringify(report.archived));
  assert.equal(report.archived.metadata, PARTITIONS * expected.experiments);
});
