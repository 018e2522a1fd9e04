/**
 * Chaos: `kill -9` of the flagship's production profile mid-stream, then restarts.
 *
 * 1. The job runs with a 1 s checkpoint interval; once its log shows a completed checkpoint
 *    and its /metrics show 30–70 % of the records read, it gets SIGKILL.
 * 2. No local checkpoint folder exists (checkpoints go to HBase in production): the folder
 *    store would write <job.state_dir>/checkpoints/<job>; the job's state dir is the test's
 *    own (SLUICE_JOB_STATE_DIR), and neither it nor the runs folder holds `checkpoints`.
 * 3. The restart, with the same environment, logs `restoring checkpoint <id> from hbase
 *    <table> …` naming the last checkpoint the killed job completed. `--events` counts the
 *    whole run (the restored checkpoint's count is spent already), so the restart runs the
 *    same command and reads exactly what the checkpoint had not covered: the total minus the
 *    checkpoint's Kafka offsets (the topics start at offset 0) minus the bucket's values (a
 *    fresh `nats_kv` source delivers one per key; a restored one only the updates after its
 *    revision, here none). It ends drained, and `validateRun` finds 0 mismatches.
 * 4. A late update: the restart stopped on its budget, so its last checkpoint is the
 *    shutdown checkpoint, taken before the end-of-stream flush (+∞): it restores the
 *    watermarks of the moment the job stopped. One more action — an action of the generated
 *    traffic again, new event id, an event time behind the restored watermark of the
 *    actions but within the 10 min allowed lateness — goes to the actions topic, and a
 *    third run (`--events` one more than the total) reads it: the counts rows of that action for that user's
 *    triggers, read back through REST, show the volume one higher and a higher `version`.
 *
 * A `.serial.test.ts` file: it runs alone, after the other tests.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointManifest } from '../../core/api/index.ts';
import { formatReport, validateRun } from '../../plugins/experiment-analytics/validate/index.ts';
import { decodeManifest } from '../../plugins/checkpoint-store-hbase/hbase-store.ts';
import { testNats } from '../../lib/nats-client/test-support.ts';
import { TrafficGenerator } from '../../plugins/experiment-analytics/traffic/generator.ts';
import { trafficConfig } from '../../plugins/experiment-analytics/traffic/test-config.ts';
import { deployment, hbaseRows, metric, produce, recordsToRead, runFolder, scrape, startJob, until } from './flagship-production.ts';
import type { RunningJob } from './flagship-production.ts';
import { dropTables } from './hbase-helpers.ts';
import { cleanup, produce as produceMessages, withAdmin } from './kafka-helpers.ts';

// Enough records that the job is still reading them after its first checkpoints (1 s apart).
const EVENTS = 200_000;
const MALFORMED = 0.005;
const JOB = 'experiment_analytics';
const ALLOWED_LATENESS_MS = 600_000;

const d = deployment('kill_restart');
const stateDir = join(d.dir, 'state');
/** Every run of the job gets the same environment: names, run id, state dir, checkpoint interval. */
const env = { SLUICE_JOB_STATE_DIR: stateDir, SLUICE_CHECKPOINT_INTERVAL: '1s' };
const jobs: RunningJob[] = [];

after(async () => {
  for (const j of jobs) if (j.child.exitCode === null && j.child.signalCode === null) j.child.kill('SIGKILL');
  await cleanup(...Object.values(d.topics));
  await withAdmin((a) => a.deleteGroups([`${d.env['KAFKA_GROUP']}.activations`, `${d.env['KAFKA_GROUP']}.actions`])).catch(() => undefined);
  await dropTables(Object.values(d.tables));
  const nats = await testNats();
  await nats.cleanup([], [d.bucket]);
  rmSync(d.dir, { recursive: true, force: true });
});

async function start(extra: readonly string[]): Promise<RunningJob> {
  const j = await startJob(d, extra, env);
  jobs.push(j);
  return j;
}

async function finished(j: RunningJob, limitMs = 180_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([j.exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), limitMs)))]);
  clearTimeout(timer);
  assert.equal(code, 0, `the job did not exit 0 (${code}):\n${j.output().slice(-4000)}`);
}

/** Source records the job has read (all three outputs of `traffic`). */
function recordsIn(m: Map<string, number>): number {
  return ['traffic.activations', 'traffic.actions', 'traffic.metadata'].reduce((n, operator) => n + (metric(m, 'sluice_records_in_total', { operator }) ?? 0), 0);
}

/** The complete checkpoints of the job in the HBase table, oldest first. */
async function manifests(): Promise<CheckpointManifest[]> {
  const rows = await hbaseRows(d.tables.checkpoints, 'm');
  return rows.filter((r) => r['json'] !== undefined && r['row_key']!.startsWith(`${JOB}|`)).map((r) => decodeManifest(r['json']!)).sort((a, b) => a.id - b.id);
}

/** Records a checkpoint covers: its Kafka offsets (every topic starts at 0) and one bucket value per experiment. */
function covered(manifest: CheckpointManifest, experiments: number): number {
  const sources = manifest.sources as Record<string, unknown>;
  let n = 0;
  for (const id of ['traffic.activations', 'traffic.actions']) for (const offset of Object.values((sources[id] ?? {}) as Record<string, number>)) n += offset;
  assert.ok(typeof sources['traffic.metadata'] === 'number' && sources['traffic.metadata'] > 0, 'the bucket was read before the checkpoint');
  return n + experiments;
}

/** Folders named `checkpoints` under `dir`. */
function checkpointFolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) continue;
    if (name === 'checkpoints') out.push(path);
    out.push(...checkpointFolders(path));
  }
  return out;
}

interface Action {
  readonly event_id: string;
  readonly user_id: string;
  readonly action: string;
  readonly ts: number;
}

/**
 * The late action: among the generated well-formed actions with an event time in
 * [watermark − 5 min, watermark − 1 min], the one of the most active user (lowest id), sent
 * again with a new event id.
 */
function lateAction(watermark: number): Action {
  const g = new TrafficGenerator(trafficConfig({ seed: 1, events: EVENTS, partitions: 3, malformed_share: MALFORMED }));
  let best: Action | undefined;
  const rank = (a: Action) => Number(a.user_id.replace(/^\D+/, ''));
  while (!g.done) {
    const b = g.next(1000);
    for (let i = 0; i < b.length; i++) {
      if (b.outputs[i] !== 'actions' || b.payloads[i] !== undefined) continue;
      const a = b.values[i] as unknown as Action;
      if (a.ts < watermark - 300_000 || a.ts > watermark - 60_000) continue;
      if (!best || rank(a) < rank(best)) best = a;
    }
  }
  assert.ok(best, 'a generated action lies 1–5 min behind the watermark');
  return { ...best, event_id: `${best.event_id}.late` };
}

const byKey = (rows: Record<string, string>[]) => new Map(rows.map((r) => [r['row_key']!, r]));

void test('kill -9 mid-stream, restart from the HBase checkpoint: tables equal the recomputation; a late update is read back through REST', { timeout: 420_000 }, async (t) => {
  const testStarted = Date.now();
  await produce(d, EVENTS, MALFORMED);
  const expected = recordsToRead(EVENTS, MALFORMED);

  // 1. Run, and kill -9 after a completed checkpoint, between 30 % and 70 % of the records.
  const first = await start(['--events', String(expected.total)]);
  const killedAt = await until('a completed checkpoint and 30 % of the records read', 120_000, async () => {
    assert.equal(first.child.exitCode, null, `the job exited before it could be killed:\n${first.output().slice(-3000)}`);
    const m = await scrape(first.metricsPort);
    if (!m || !/checkpoint \d+ complete/.test(first.output())) return undefined;
    const n = recordsIn(m);
    return n >= 0.3 * expected.total ? n : undefined;
  }, 100);
  first.child.kill('SIGKILL');
  await first.exited;
  assert.equal(first.child.signalCode, 'SIGKILL');
  t.diagnostic(`killed at ${killedAt} of ${expected.total} records (${((killedAt / expected.total) * 100).toFixed(0)} %), ${((Date.now() - testStarted) / 1000).toFixed(1)} s into the test`);
  assert.ok(killedAt <= 0.7 * expected.total, `killed at ${killedAt} records, past 70 % of ${expected.total}: the first checkpoint came too late`);

  // 2. No local checkpoint folder: the folder store would write <state_dir>/checkpoints/<job>.
  assert.deepEqual([...checkpointFolders(stateDir), ...checkpointFolders(d.runsDir)], [], 'no checkpoints folder under the state dir or the runs folder');
  assert.equal(existsSync(join(stateDir, 'checkpoints', JOB)), false, `no ${join(stateDir, 'checkpoints', JOB)}`);

  // 3. Restart with the same environment; it reads what the last checkpoint did not cover.
  const before = (await manifests()).at(-1);
  assert.ok(before, 'the killed job completed a checkpoint in HBase');
  const remaining = expected.total - covered(before, expected.experiments);
  t.diagnostic(`checkpoint ${before.id} covers ${expected.total - remaining} records; the restart reads ${remaining}`);
  const second = await start(['--events', String(expected.total)]);
  await finished(second);
  const restoreLine = second.output().split('\n').find((l) => l.includes('restoring checkpoint'));
  t.diagnostic(`restart: ${restoreLine ?? '(no restore line)'}`);
  assert.match(second.output(), new RegExp(`restoring checkpoint ${before.id} from hbase ${d.tables.checkpoints} ${JOB} \\(http://127\\.0\\.0\\.1:8080\\)`));
  assert.match(second.output(), /stopping: max events \(\d+\) reached/);
  assert.match(second.output(), new RegExp(`max events \\(${expected.total}\\) reached`), '--events counts the whole run');
  // The job's counters come back with the checkpoint: it reports the whole run.
  assert.match(second.output(), new RegExp(`${expected.total} records in`));
  assert.deepEqual([...checkpointFolders(stateDir), ...checkpointFolders(d.runsDir)], [], 'still no checkpoints folder');

  const report = await validateRun({ run: runFolder(d) });
  const text = formatReport(report);
  t.diagnostic(text);
  assert.deepEqual(report.mismatches.filter((m) => m.check !== 'conservation'), [], text);
  assert.deepEqual(report.failures, [], text);
  assert.ok(report.rowsCompared > 0, 'rows compared');
  // Exactly once across the kill: every record read is archived once (the malformed ones are dead-lettered instead).
  const archived = Object.values(report.archived).reduce((a, b) => a + b, 0);
  assert.equal(archived + expected.malformed, expected.total, `archived ${JSON.stringify(report.archived)} + ${expected.malformed} malformed = ${expected.total} read`);
  // Conservation across the kill: the job's counters travel in its checkpoints, so the summary
  // the restarted process writes counts the whole run, as the archive does.
  assert.deepEqual(report.mismatches.filter((m) => m.check === 'conservation').map((m) => `${m.subject}: ${m.message}`), []);

  // 4. A late update, read back through REST.
  const shutdown = (await manifests()).at(-1)!;
  assert.ok(shutdown.id > before.id, 'the restart took checkpoints of its own');
  const watermarks = (shutdown.runtime as { watermarks: Record<string, number> }).watermarks;
  const actionsWatermark = watermarks['traffic.actions']!;
  assert.ok(Number.isFinite(actionsWatermark), `the last checkpoint (${shutdown.id}) holds a finite watermark for the actions: ${actionsWatermark}`);
  const late = lateAction(actionsWatermark);
  t.diagnostic(`late action ${JSON.stringify(late)}: ${((actionsWatermark - late.ts) / 1000).toFixed(0)} s behind the restored actions watermark (allowed lateness ${ALLOWED_LATENESS_MS / 1000} s)`);
  assert.ok(late.ts < actionsWatermark && late.ts >= actionsWatermark - ALLOWED_LATENESS_MS);
  const rowsBefore = byKey(await hbaseRows(d.tables.counts, 'c'));
  await produceMessages(d.topics.actions, [{ key: late.user_id, value: JSON.stringify(late) }]);
  const third = await start(['--events', String(expected.total + 1)]);
  await finished(third);
  assert.match(third.output(), new RegExp(`restoring checkpoint ${shutdown.id} from hbase ${d.tables.checkpoints}`));
  const rowsAfter = byKey(await hbaseRows(d.tables.counts, 'c'));
  assert.deepEqual([...rowsAfter.keys()].filter((k) => !rowsBefore.has(k)), [], 'no new row');
  const changed = [...rowsAfter].filter(([k, r]) => r['volume'] !== rowsBefore.get(k)?.['volume']);
  for (const [k, r] of changed) t.diagnostic(`${k}: volume ${rowsBefore.get(k)!['volume']} → ${r['volume']}, version ${rowsBefore.get(k)!['version']} → ${r['version']}`);
  assert.ok(changed.length >= 1, 'the late action was counted');
  for (const [k, r] of changed) {
    const old = rowsBefore.get(k)!;
    assert.equal(k.split('|')[3], late.action, `${k} is a row of the late action`);
    assert.equal(Number(r['volume']), Number(old['volume']) + 1, `${k}: volume one higher`);
    assert.ok(BigInt(r['version']!) > BigInt(old['version']!), `${k}: a higher version`);
    assert.equal(r['triggered'], old['triggered'], `${k}: same triggered users`);
  }
});
