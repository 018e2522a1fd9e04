/**
 * A job run as tasks over the real Kafka broker and HBase: 3 processes of one pipeline
 * (`job.tasks`) share the 4 partitions of its topic through the job's task group; each task
 * checkpoints to HBase on its own. One process is killed with SIGKILL mid-run; the survivors
 * get its tasks at the next rebalance, restore their checkpoints and replay, and the HBase
 * table ends equal to the window counts computed here from what was produced — nothing
 * lost, nothing counted twice. A process added afterwards (2 → 3) takes tasks over, and one
 * stopped gracefully (3 → 2) hands its tasks over, checkpointed; the counts stay exact.
 *
 * The pipeline is co-partitioned (keyed by the message key, which picks the partition):
 * a job that re-keys needs repartitioning, which tasks do not do yet.
 * A `.serial.test.ts` file: it runs alone, after the other tests.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './flagship-production.ts';
import { dropTables, hbase, uniqueTable } from './hbase-helpers.ts';
import { cleanup, createTopic, produce, unique, withAdmin } from './kafka-helpers.ts';

const REPO = new URL('../..', import.meta.url).pathname;
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const PARTITIONS = 4;
const KEYS = 40;

const topic = unique('tasks-in');
const job = `tasks_${Date.now().toString(36)}`;
const table = uniqueTable('it_tasks');
const cpTable = uniqueTable('it_tasks_cp');
const dir = mkdtempSync(join(tmpdir(), 'sluice-tasks-'));
const procs: Proc[] = [];

after(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await cleanup(topic, `sluice.${job}.tasks`);
  const groups = [`sluice.${job}.tasks`, ...Array.from({ length: PARTITIONS }, (_, i) => `sluice.${job}.events.task-${i}`)];
  await withAdmin((a) => a.deleteGroups(groups)).catch(() => undefined);
  await dropTables([table, cpTable]);
  rmSync(dir, { recursive: true, force: true });
});

interface Proc {
  readonly child: ChildProcessWithoutNullStreams;
  /** Its `/metrics` and `/ready`. */
  readonly port: number;
  output(): string;
  readonly exited: Promise<number | null>;
}

async function start(name: string): Promise<Proc> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/sluice.mjs', 'run', join(dir, 'pipeline.yaml'), '--set', 'job.tasks=true', '--set', 'job.task_session_timeout=6s', '--set', `metrics.port=${port}`], {
    cwd: REPO,
    env: {
      ...process.env,
      SLUICE_JOB_STATE_DIR: join(dir, name),
      SLUICE_CHECKPOINT_STORE: 'hbase',
      SLUICE_CHECKPOINT_HBASE_TABLE: cpTable,
      SLUICE_CHECKPOINT_INTERVAL: '1s',
      SLUICE_LOG_LEVEL: 'info',
    },
  }) as ChildProcessWithoutNullStreams;
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const p = { child, port, output: () => out, exited: new Promise<number | null>((resolve) => child.on('close', resolve)) };
  procs.push(p);
  return p;
}

interface LogLine {
  readonly time: string;
  readonly msg: string;
  readonly task?: string;
  readonly tasks?: number[];
}

function logLines(p: Proc): LogLine[] {
  return p
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

/** The tasks a process owns after its latest rebalance. */
function owned(p: Proc): number[] {
  const last = logLines(p).filter((l) => l.msg.startsWith('tasks assigned')).at(-1);
  return last?.tasks ?? [];
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number, show: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}\n${show()}`);
    await sleep(250);
  }
}

/** Events of one phase: `n` per key, spread over 10 minutes of event time. */
function events(phase: number, n: number): { k: string; ts: number }[] {
  const out: { k: string; ts: number }[] = [];
  for (let i = 0; i < n; i++) for (let k = 0; k < KEYS; k++) out.push({ k: `u${k}`, ts: T0 + phase * 10 * MINUTE + Math.floor((i * 10 * MINUTE) / n) });
  return out;
}

function expected(rows: readonly { k: string; ts: number }[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.k}|${String(r.ts - (r.ts % MINUTE)).padStart(13, '0')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return new Map([...counts].map(([k, v]) => [k, String(v)]));
}

async function readCounts(): Promise<Map<string, string>> {
  const rows = await hbase.scan(table).catch(() => []);
  return new Map(rows.map((r) => [r.key, r.cells.find((c) => c.column === 'c:n')!.value.toString()]));
}

const show = () => procs.map((p, i) => `--- process ${i} (exit ${p.child.exitCode ?? p.child.signalCode ?? 'running'})\n${p.output().split('\n').slice(-40).join('\n')}`).join('\n');

async function send(rows: readonly { k: string; ts: number }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) await produce(topic, rows.slice(i, i + 5000).map((r) => ({ key: r.k, value: JSON.stringify(r) })));
}

void test('3 processes share a job as tasks; one killed with SIGKILL, the others take its tasks over; a fourth joins, one leaves; counts exact', { timeout: 240_000 }, async () => {
  await createTopic(topic, PARTITIONS);
  writeFileSync(
    join(dir, 'pipeline.yaml'),
    `name: ${job}
sources:
  events:
    kafka: { brokers: ["127.0.0.1:9092"], topic: ${topic}, start: earliest, session_timeout: 6s, meta: false }
    event_time: { field: ts, max_out_of_orderness: 0s, idle_timeout: 2s }
operators:
  counts:
    input: events
    window_aggregate: { key: k, window: { tumbling: 1m }, aggregates: { n: count } }
sinks:
  out:
    input: counts
    hbase: { port: 8080, table: ${table}, family: c, row_key: "{k}|{window_start:13}", columns: { n: n }, version_qualifier: version }
`,
  );
  const first = events(0, 300);
  await send(first);
  const [a, b, c] = [await start('a'), await start('b'), await start('c')];
  await until('the 4 tasks spread over 3 processes', () => [a, b, c].every((p) => owned(p).length > 0) && [a, b, c].reduce((n, p) => n + owned(p).length, 0) === PARTITIONS, 150_000, show);
  // Every task has completed a checkpoint before the kill, so the survivors restore, not restart.
  const checkpointed = (p: Proc) => new Set(logLines(p).filter((l) => l.msg.includes('checkpoint') && l.msg.endsWith('complete')).map((l) => l.task));
  await until('a completed checkpoint in every task', () => [a, b, c].reduce((n, p) => n + checkpointed(p).size, 0) >= PARTITIONS, 60_000, show);
  // Each process says which tasks it runs: /ready names them, metrics carry a task label.
  for (const p of [a, b, c]) {
    const res = await fetch(`http://127.0.0.1:${p.port}/ready`);
    const body = await res.text();
    assert.equal(res.status, 200, body);
    assert.equal(body, `ready\ntasks: ${owned(p).map((t) => `task-${t}`).join(' ')}\n`);
    const metrics = await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
    assert.match(metrics, new RegExp(`^sluice_tasks_owned\\{[^}]*\\} ${owned(p).length}$`, 'm'));
    for (const t of owned(p)) assert.match(metrics, new RegExp(`^sluice_records_in_total\\{[^}]*task="task-${t}"`, 'm'));
  }
  const victim = [a, b, c].find((p) => owned(p).length > 0)!;
  const moved = owned(victim);
  const survivors = [a, b, c].filter((p) => p !== victim);
  const killedAt = Date.now();
  victim.child.kill('SIGKILL');
  await victim.exited;
  // More input while the tasks move, and one record per partition an hour later, so every window closes.
  const second = events(1, 300);
  await send(second);
  for (let p = 0; p < PARTITIONS; p++) await produceTo(p, { k: `_end${p}`, ts: T0 + 60 * MINUTE });
  await until('the killed process\'s tasks restored by the survivors', () => moved.every((t) => survivors.some((p) => logLines(p).some((l) => l.task === `task-${t}` && l.msg.startsWith('restoring checkpoint')))), 60_000, show);
  const restoredAt = Math.min(...survivors.flatMap((p) => logLines(p).filter((l) => moved.some((t) => l.task === `task-${t}`) && l.msg.startsWith('restoring checkpoint')).map((l) => Date.parse(l.time))));
  console.log(`tasks ${moved.join(', ')} moved: ${restoredAt - killedAt} ms from SIGKILL to the restore of the first of them`);
  const want = expected([...first, ...second]);
  await until('HBase equal to the expected counts', async () => sameCounts(await readCounts(), want), 90_000, show);
  // A process joins: the group rebalances and it takes tasks; the counts stay exact.
  const d = await start('d');
  await until('the new process owns tasks', () => owned(d).length > 0, 60_000, show);
  // After the markers: event time past the hour the first markers closed.
  const third = events(7, 100);
  await send(third);
  for (let p = 0; p < PARTITIONS; p++) await produceTo(p, { k: `_end${p}`, ts: T0 + 120 * MINUTE });
  const all = expected([...first, ...second, ...third]);
  await until('HBase equal to the expected counts after the join', async () => sameCounts(await readCounts(), all), 90_000, show);
  // A process stops gracefully: it checkpoints its tasks and leaves; the others take them at once.
  const leaving = [...survivors, d].find((p) => owned(p).length > 0)!;
  const staying = [...survivors, d].filter((p) => p !== leaving);
  const handedOver = owned(leaving);
  const stoppedAt = Date.now();
  leaving.child.kill('SIGTERM');
  assert.equal(await leaving.exited, 0, leaving.output().slice(-3000));
  await until('the stopped process\'s tasks taken over', () => handedOver.every((t) => staying.some((p) => owned(p).includes(t))), 30_000, show);
  console.log(`tasks ${handedOver.join(', ')} handed over ${Date.now() - stoppedAt} ms after SIGTERM (the stopped process checkpointed them first)`);
  const fourth = events(13, 100);
  await send(fourth);
  for (let p = 0; p < PARTITIONS; p++) await produceTo(p, { k: `_end${p}`, ts: T0 + 180 * MINUTE });
  const total = expected([...first, ...second, ...third, ...fourth]);
  await until('HBase equal to the expected counts after the graceful stop', async () => sameCounts(await readCounts(), total), 90_000, show);
  for (const p of staying) p.child.kill('SIGTERM');
  for (const p of staying) assert.equal(await p.exited, 0, p.output().slice(-3000));
});

/** The counts rows of real keys (the `_end` markers' windows never close) equal `want`. */
function sameCounts(got: Map<string, string>, want: Map<string, string>): boolean {
  const real = new Map([...got].filter(([k]) => !k.startsWith('_end')));
  if (real.size !== want.size) return false;
  for (const [k, v] of want) if (real.get(k) !== v) return false;
  return true;
}

async function produceTo(partition: number, row: { k: string; ts: number }): Promise<void> {
  await produce(topic, [{ key: row.k, value: JSON.stringify(row), partition }]);
}
