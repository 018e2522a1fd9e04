/**
 * Repartitioning through Kafka, on the real broker and HBase: a two-stage pipeline — input
 * keyed by user (4 partitions); stage 1 filters and repartitions by page; stage 2 counts
 * per page in 1-minute event-time windows with 2 minutes of allowed lateness — run
 *   (a) as a whole job in one process (the `repartition` operator is the identity), and
 *   (b) as tasks (`job.tasks`): 2 processes, one killed with SIGKILL mid-run, a third joining;
 * both reading the same input. Each HBase table ends equal to the counts computed here from
 * what was produced, (a) equals (b), and both declared the same records late: the records
 * crossed the repartition topic exactly once and the in-band watermarks judged lateness as
 * one process does. Then a poison record written by hand into (b)'s repartition topic is
 * dead-lettered once with its provenance, and the job goes on.
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
const USERS = 40;
const PAGES = 7;

const topic = unique('repart-in');
const stamp = Date.now().toString(36);
const jobs = { whole: `repart_whole_${stamp}`, tasks: `repart_tasks_${stamp}` };
const tables = (name: string) => ({ out: uniqueTable(`it_rp_${name}`), late: uniqueTable(`it_rp_${name}_late`), dead: uniqueTable(`it_rp_${name}_dead`) });
const t = { whole: tables('w'), tasks: tables('t') };
const cpTable = uniqueTable('it_rp_cp');
const internal = `sluice.${jobs.tasks}.by_page.repartition`;
const dir = mkdtempSync(join(tmpdir(), 'sluice-repart-'));
const procs: Proc[] = [];

after(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await cleanup(topic, internal, `sluice.${jobs.tasks}.tasks`);
  const groups = [`sluice.${jobs.whole}.events`, `sluice.${jobs.tasks}.tasks`, ...Array.from({ length: PARTITIONS }, (_, i) => [`sluice.${jobs.tasks}.events.task-${i}`, `sluice.${jobs.tasks}.by_page.by_page.task-${i}`]).flat()];
  await withAdmin((a) => a.deleteGroups(groups)).catch(() => undefined);
  await dropTables([...Object.values(t.whole), ...Object.values(t.tasks), cpTable]);
  rmSync(dir, { recursive: true, force: true });
});

interface Proc {
  readonly child: ChildProcessWithoutNullStreams;
  output(): string;
  readonly exited: Promise<number | null>;
}

interface Event {
  readonly id: string;
  readonly user: string;
  readonly page: string;
  readonly kind: 'view' | 'noise';
  readonly ts: number;
}

function pipeline(job: string, tb: { out: string; late: string; dead: string }): string {
  const hb = (table: string, rowKey: string, columns: string) => `hbase: { port: 8080, table: ${table}, family: c, row_key: "${rowKey}", columns: ${columns}, version_qualifier: version }`;
  return `name: ${job}
sources:
  events:
    kafka: { brokers: ["127.0.0.1:9092"], topic: ${topic}, start: earliest, session_timeout: 6s, meta: false }
    # No idle_timeout: every partition gets every phase, and an idle partition leaving the
    # whole job's minimum would let the first partition of a phase declare the others late.
    event_time: { field: ts, max_out_of_orderness: 0s }
operators:
  kept: { input: events, filter: { where: "kind != 'noise'" } }
  by_page: { input: kept, repartition: { key: page } }
  counts:
    input: by_page
    window_aggregate: { key: page, window: { tumbling: 1m }, allowed_lateness: 2m, aggregates: { n: count } }
sinks:
  out: { input: counts, ${hb(tb.out, '{page}|{window_start:13}', '{ n: n }')} }
late: { ${hb(tb.late, '{record.id}', '{ reason: reason }')} }
dead_letter: { ${hb(tb.dead, '{operator}|{provenance.partition}|{provenance.offset}', '{ reason: reason }')} }
`;
}

async function start(name: string, file: string, tasks: boolean): Promise<Proc> {
  const port = await freePort();
  const args = ['bin/sluice.mjs', 'run', file, '--set', `metrics.port=${port}`, ...(tasks ? ['--set', 'job.tasks=true', '--set', 'job.task_session_timeout=6s'] : [])];
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: {
      ...process.env,
      SLUICE_JOB_STATE_DIR: join(dir, name),
      SLUICE_CHECKPOINT_INTERVAL: '2s',
      SLUICE_LOG_LEVEL: 'info',
      ...(tasks ? { SLUICE_CHECKPOINT_STORE: 'hbase', SLUICE_CHECKPOINT_HBASE_TABLE: cpTable } : {}),
    },
  }) as ChildProcessWithoutNullStreams;
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const p = { child, output: () => out, exited: new Promise<number | null>((resolve) => child.on('close', resolve)) };
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
  return p.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
}

function owned(p: Proc): number[] {
  return logLines(p).filter((l) => l.msg.startsWith('tasks assigned')).at(-1)?.tasks ?? [];
}

const show = () => procs.map((p, i) => `--- process ${i} (exit ${p.child.exitCode ?? p.child.signalCode ?? 'running'})\n${p.output().split('\n').slice(-30).join('\n')}`).join('\n');

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}\n${await tableSizes()}\n${show()}`);
    await sleep(500);
  }
}

/** For a failure message: rows per table. */
async function tableSizes(): Promise<string> {
  const out: string[] = [];
  for (const [name, tb] of Object.entries(t)) for (const [kind, table] of Object.entries(tb)) out.push(`${name}.${kind}: ${(await rows(table, 'n')).size} rows`);
  return out.join(', ');
}

let seq = 0;
/** `n` events per user between `from` and `from + 10 min`, every fifth one noise (filtered out in stage 1). */
function events(from: number, n: number): Event[] {
  const out: Event[] = [];
  for (let i = 0; i < n; i++) {
    for (let u = 0; u < USERS; u++) {
      const k = seq++;
      out.push({ id: `e${k}`, user: `u${u}`, page: `p${(k * 7 + u) % PAGES}`, kind: k % 5 === 0 ? 'noise' : 'view', ts: from + Math.floor((i * 10 * MINUTE) / n) });
    }
  }
  return out;
}

async function send(rows: readonly Event[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) await produce(topic, rows.slice(i, i + 5000).map((r) => ({ key: r.user, value: JSON.stringify(r) })));
}

/** One record per input partition at `ts`: every upstream task's watermark passes `ts − 1`. */
async function markers(ts: number): Promise<void> {
  for (let p = 0; p < PARTITIONS; p++) await produce(topic, [{ key: `m${p}`, partition: p, value: JSON.stringify({ id: `m${ts}-${p}`, user: `m${p}`, page: '_end', kind: 'view', ts }) }]);
}

/** Counts per `page|window_start` of the records that pass the filter. */
function expected(rows: readonly Event[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.kind === 'noise') continue;
    const key = `${r.page}|${String(r.ts - (r.ts % MINUTE)).padStart(13, '0')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return new Map([...counts].map(([k, v]) => [k, String(v)]));
}

async function rows(table: string, column: string): Promise<Map<string, string>> {
  const got = await hbase.scan(table).catch(() => []);
  return new Map(got.map((r) => [r.key, r.cells.find((c) => c.column === `c:${column}`)?.value.toString() ?? '']));
}

/** The count rows of real pages (the `_end` markers' windows are left out) equal `want`. */
async function countsAre(table: string, want: Map<string, string>): Promise<boolean> {
  const got = [...(await rows(table, 'n'))].filter(([k]) => !k.startsWith('_end'));
  return got.length === want.size && got.every(([k, v]) => want.get(k) === v);
}

/**
 * The tables, made before any process starts and scanned until their regions answer: a scan
 * of a table created a moment ago may answer HTTP 410 while its region opens, which fails a
 * job at its first restore (a race of the HBase REST server, not of what is tested here).
 */
async function makeTables(): Promise<void> {
  const all = [...Object.values(t.whole), ...Object.values(t.tasks)].map((table) => [table, [{ name: 'c' }]] as const);
  for (const [table, families] of [...all, [cpTable, [{ name: 'd' }, { name: 'm' }]] as const]) {
    await hbase.createTable(table, families);
    await until(`table ${table} answers scans`, async () => (await hbase.scan(table).then(() => true, () => false)), 30_000);
  }
}

void test('a job cut at a repartition: whole job and 2 → (kill -9) → +1 processes give the same counts and the same late records', {
  timeout: 300_000,
}, async () => {
  await createTopic(topic, PARTITIONS);
  await makeTables();
  const files = { whole: join(dir, 'whole.yaml'), tasks: join(dir, 'tasks.yaml') };
  writeFileSync(files.whole, pipeline(jobs.whole, t.whole));
  writeFileSync(files.tasks, pipeline(jobs.tasks, t.tasks));
  const first = events(T0, 100);
  await send(first);
  await markers(T0 + 60 * MINUTE);
  await start('whole', files.whole, false);
  const [a, b] = [await start('a', files.tasks, true), await start('b', files.tasks, true)];
  await until('the 4 tasks spread over 2 processes', () => owned(a).length > 0 && owned(b).length > 0 && owned(a).length + owned(b).length === PARTITIONS, 120_000);
  // Every task of both stages the victim runs has completed a checkpoint of its own instance
  // (not only a hand-off checkpoint of another process's), so the new owner restores one.
  const victim = a;
  const ownCheckpoints = (p: Proc) => {
    const lines = logLines(p);
    const since = lines.findLastIndex((l) => l.msg.startsWith('tasks assigned'));
    return new Set(lines.slice(since + 1).filter((l) => l.msg.includes('checkpoint') && l.msg.endsWith('complete')).map((l) => l.task));
  };
  await until('a completed checkpoint in every task of both stages the victim runs', () => {
    const done = ownCheckpoints(victim);
    return owned(victim).every((i) => done.has(`task-${i}`) && done.has(`by_page.task-${i}`));
  }, 60_000);
  const moved = owned(victim);
  victim.child.kill('SIGKILL');
  const killedAt = Date.now();
  await victim.exited;
  const second = events(T0 + 60 * MINUTE, 100);
  await send(second);
  await markers(T0 + 120 * MINUTE);
  const c = await start('c', files.tasks, true);
  const movedTask = (l: LogLine) => moved.some((i) => l.task === `task-${i}` || l.task === `by_page.task-${i}`);
  await until('the killed process\'s tasks restored elsewhere', () => moved.every((i) => [b, c].some((p) => logLines(p).some((l) => l.task === `by_page.task-${i}` && l.msg.startsWith('restoring checkpoint')))), 60_000);
  const restores = [b, c].flatMap((p) => logLines(p).filter((l) => movedTask(l) && l.msg.startsWith('restoring checkpoint')).map((l) => Date.parse(l.time)));
  const want = expected([...first, ...second]);
  console.log(`expecting ${want.size} count rows`);
  await until('(a) and (b) equal to the expected counts', async () => (await countsAre(t.whole.out, want)) && (await countsAre(t.tasks.out, want)), 120_000);
  console.log(`tasks ${moved.join(', ')} of both stages moved: ${Math.min(...restores) - killedAt} ms from SIGKILL to the first restore, ${Date.now() - killedAt} ms to every count of the second phase in HBase`);

  // Late records, sent once the watermark (120 min − 1 ms) has crossed: the closed windows
  // of the first phase declare them late; those of 118 min are within the allowed lateness.
  await sleep(5000);
  const late = events(T0 + MINUTE, 5).map((e) => ({ ...e, kind: 'view' as const }));
  const inTime = events(T0 + 118 * MINUTE, 1).map((e) => ({ ...e, ts: T0 + 118 * MINUTE + 30_000, kind: 'view' as const }));
  await send([...late, ...inTime]);
  // Moves the watermark on (within the allowed lateness of the 118 min windows), so they fire.
  await markers(T0 + 120 * MINUTE + 30_000);
  const all = expected([...first, ...second, ...inTime]);
  const lateIds = late.map((e) => e.id).sort();
  const lateAre = async (table: string) => JSON.stringify([...(await rows(table, 'reason')).keys()].filter((k) => !k.startsWith('m')).sort()) === JSON.stringify(lateIds);
  await until('(a) and (b): counts with the records in time, the late ones declared late', async () =>
    (await countsAre(t.whole.out, all)) && (await countsAre(t.tasks.out, all)) && (await lateAre(t.whole.late)) && (await lateAre(t.tasks.late)), 90_000);
  assert.deepEqual([...(await rows(t.tasks.late, 'reason')).values()].filter((r) => r !== 'window_closed'), []);

  // A poison record in the repartition topic: dead-lettered once with its provenance; the job goes on.
  const poisonPartition = 2;
  await produce(internal, [{ key: 'poison', partition: poisonPartition, value: 'not json {' }]);
  const poisonPrefix = `by_page|${internal}:${poisonPartition}|`;
  const poison = async () => [...(await rows(t.tasks.dead, 'reason'))].filter(([k]) => k.startsWith(poisonPrefix));
  await until('the poison record dead-lettered', async () => (await poison()).length > 0, 60_000);
  const third = events(T0 + 180 * MINUTE, 20);
  await send(third);
  await markers(T0 + 240 * MINUTE);
  const total = expected([...first, ...second, ...inTime, ...third]);
  await until('(b) goes on after the poison record', async () => countsAre(t.tasks.out, total), 90_000);
  // Once: the dead-letter table holds that one record (its key is its topic, partition and offset), nothing else.
  const dead = [...(await rows(t.tasks.dead, 'reason'))];
  assert.deepEqual(dead, await poison(), `only the poison record is dead-lettered: ${JSON.stringify(dead)}`);
  assert.equal(dead.length, 1);
  console.log(`poison record dead-lettered once: ${dead[0]![0]} (${dead[0]![1]})`);
  for (const p of procs.filter((x) => x !== victim)) p.child.kill('SIGTERM');
  for (const p of procs.filter((x) => x !== victim)) assert.equal(await p.exited, 0, p.output().slice(-3000));
});
