/**
 * Chaos: the HBase REST server stops for 20 s while the flagship's production profile is
 * mid-run and traffic keeps arriving. The job's own /metrics show the sinks retrying, the
 * Kafka source's consumer lag growing (the counts reach the sinks compacted per row key, so
 * their buffers stay small; input stops when a checkpoint waits for the sinks, and a
 * partition is paused only if the source's buffer fills, which these readings report); when
 * the REST server is back the job drains, exits 0, and the HBase counts table equals the
 * recomputation from the run's archive (`validateRun`).
 *
 * The traffic: `produce()` writes the generator's records before the job starts (few enough
 * that every partition fits in the source's buffer, so no partition is paused before the
 * outage); the job has read them all a few seconds into the outage (its queues absorb
 * them). Traffic that keeps arriving is what the outage holds back: during it, 20 000
 * actions — the generated stream's last actions again, with new event ids, at its latest
 * event time (never late) — are appended to actions partition 0 in ten chunks. They are
 * counted like any action, so they need the HBase sinks and back-pressure reaches the
 * source; the job's `--events` budget is the generated records plus these. The job runs
 * with `engine.queue_capacity=2` so that the graph holds few of them.
 *
 * The lag gauge is the partition's high watermark minus the next offset to return; while the
 * partition is paused (not fetched) its high watermark is read from the brokers every 5 s, so
 * the lag keeps growing with what is appended.
 *
 * Stops a shared service: a `.serial.test.ts` file, run alone after the other tests. The
 * REST server is always started again, whatever happens.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { validateRun, formatReport } from '../../plugins/experiment-analytics/validate/index.ts';
import { TrafficGenerator } from '../../plugins/experiment-analytics/traffic/generator.ts';
import { trafficConfig } from '../../plugins/experiment-analytics/traffic/test-config.ts';
import { testNats } from '../../lib/nats-client/test-support.ts';
import { REPO } from '../cli/sluice.ts';
import { deployment, metric, produce, recordsToRead, runFolder, scrape, sleep, startJob, until } from './flagship-production.ts';
import type { RunningJob } from './flagship-production.ts';
import { dropTables } from './hbase-helpers.ts';
import { BROKERS, cleanup, withAdmin } from './kafka-helpers.ts';

const exec = promisify(execFile);
const kafka = new Kafka({ brokers: BROKERS, clientId: 'sluice-chaos-tests', logLevel: logLevel.NOTHING });

const EVENTS = 30_000;
const MALFORMED = 0.005;
/** Actions appended to actions partition 0 during the outage: more than the source buffers (max_buffered 10 000). */
const EXTRA = 20_000;
const EXTRA_CHUNKS = 10;
const OUTAGE_MS = 20_000;
/**
 * Batches per edge (default 8): with 8 the graph holds about 15 000 of the appended actions
 * before the source is back-pressured; with 2 the outage reaches the source within seconds.
 */
const QUEUE_CAPACITY = 2;

const d = deployment('hbase_outage');
let job: RunningJob | undefined;

after(async () => {
  if (job && job.child.exitCode === null) job.child.kill('SIGKILL');
  await services('rest-up');
  await cleanup(...Object.values(d.topics));
  await withAdmin((a) => a.deleteGroups([`${d.env['KAFKA_GROUP']}.activations`, `${d.env['KAFKA_GROUP']}.actions`])).catch(() => undefined);
  await dropTables(Object.values(d.tables));
  const nats = await testNats();
  await nats.cleanup([], [d.bucket]);
  rmSync(d.dir, { recursive: true, force: true });
});

function services(command: 'rest-down' | 'rest-up'): Promise<unknown> {
  return exec('bash', ['scripts/services', command], { cwd: REPO });
}

interface Action {
  readonly event_id: string;
  readonly user_id: string;
  readonly action: string;
  readonly ts: number;
}

/**
 * The traffic appended during the outage: the last `n` well-formed actions of the generated
 * stream again, with new event ids and the stream's latest event time (never late, and
 * after every record already in the partition). They are counted like any action, so they
 * need the HBase sinks: the back-pressure of the outage reaches the source through them.
 */
function extraActions(events: number, malformedShare: number, n: number): Action[] {
  const g = new TrafficGenerator(trafficConfig({ seed: 1, events, partitions: 3, malformed_share: malformedShare }));
  const actions: Action[] = [];
  let last = 0;
  while (!g.done) {
    const b = g.next(1000);
    for (let i = 0; i < b.length; i++) {
      if (b.payloads[i] !== undefined) continue;
      const v = b.values[i] as unknown as Action;
      if (v.ts > last) last = v.ts;
      if (b.outputs[i] === 'actions') actions.push(v);
    }
  }
  return actions.slice(-n).map((a) => ({ ...a, event_id: `${a.event_id}.chaos`, ts: last }));
}

interface Reading {
  readonly at: number;
  readonly written: number;
  readonly retries: number;
  readonly paused: number;
  readonly lag: number;
}

function read(m: Map<string, number>, started: number): Reading {
  return {
    at: Date.now() - started,
    written: metric(m, 'sluice_records_out_total', { operator: 'counts_store' }) ?? 0,
    retries: metric(m, 'sluice_sink_retries_total', {}) ?? 0,
    paused: metric(m, 'sluice_kafka_consumer_paused', {}) ?? 0,
    lag: metric(m, 'sluice_kafka_consumer_lag', {}) ?? 0,
  };
}

void test('HBase REST down for 20 s mid-run: sink retries and growing lag; afterwards the table equals the recomputation', { timeout: 300_000 }, async (t) => {
  await produce(d, EVENTS, MALFORMED);
  const expected = recordsToRead(EVENTS, MALFORMED);
  const extra = extraActions(EVENTS, MALFORMED, EXTRA);
  assert.equal(extra.length, EXTRA);
  const started = Date.now();
  job = await startJob(d, ['--events', String(expected.total + EXTRA), '--set', `engine.queue_capacity=${QUEUE_CAPACITY}`]);
  const running = job;
  let exitCode: number | null | undefined;
  void running.exited.then((c) => (exitCode = c));

  const before = await until('the HBase counts sink to write', 60_000, async () => {
    assert.equal(exitCode, undefined, `the job exited early:\n${running.output().slice(-3000)}`);
    const m = await scrape(running.metricsPort);
    const r = m && read(m, started);
    return r && r.written > 0 ? r : undefined;
  }, 100);
  const during: Reading[] = [];
  let extraWritten = 0;
  try {
    await services('rest-down');
    const downAt = Date.now();
    const writer = (async () => {
      const per = EXTRA / EXTRA_CHUNKS;
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      try {
        for (let c = 0; c < EXTRA_CHUNKS; c++) {
          const messages = extra.slice(c * per, (c + 1) * per).map((a) => ({ partition: 0, key: a.user_id, value: JSON.stringify(a) }));
          await producer.send({ topic: d.topics.actions, messages });
          extraWritten += per;
          await sleep(OUTAGE_MS / 2 / EXTRA_CHUNKS);
        }
      } finally {
        await producer.disconnect();
      }
    })();
    while (Date.now() - downAt < OUTAGE_MS) {
      const m = await scrape(running.metricsPort);
      if (m) during.push(read(m, started));
      await sleep(1000);
    }
    await writer;
  } finally {
    await services('rest-up');
  }
  const code = await running.exited;
  const elapsed = Date.now() - started;
  for (const r of [before, ...during]) t.diagnostic(`t=${(r.at / 1000).toFixed(1)}s counts written ${r.written}, sink retries ${r.retries}, paused partitions ${r.paused}, lag ${r.lag}`);
  assert.equal(code, 0, running.output().slice(-3000));
  assert.equal(extraWritten, EXTRA);
  assert.ok(during.length >= 10, `scraped /metrics ${during.length} times during the outage`);

  const first = during[0]!;
  const last = during.at(-1)!;
  // Growth: the largest rise of the lag over an earlier reading of the outage.
  let growth = 0;
  let low = Infinity;
  for (const r of during) {
    low = Math.min(low, r.lag);
    growth = Math.max(growth, r.lag - low);
  }
  const pausedReadings = during.filter((r) => r.paused > 0).length;
  t.diagnostic(`outage: sink retries ${first.retries} → ${last.retries}, lag grew by ${growth} (max ${Math.max(...during.map((r) => r.lag))}), a partition paused in ${pausedReadings} of ${during.length} readings; job done ${(elapsed / 1000).toFixed(1)} s after its start`);
  assert.equal(before.paused, 0, 'no partition was paused before the outage (the generated traffic fits the source buffers)');
  assert.ok(last.retries > first.retries, 'the sinks retried during the outage');
  // Back-pressure shows as lag: the counts reach the sinks compacted per row key, so the
  // sinks' buffers stay small and a partition need not be paused; the job stops taking input
  // when a checkpoint waits for the sinks' acknowledgements (paused readings: diagnostic only).
  assert.ok(growth > 0, 'the consumer lag grew during the outage');

  const report = await validateRun({ run: runFolder(d) });
  t.diagnostic(formatReport(report));
  assert.equal(report.mismatches.length, 0, formatReport(report));
  assert.ok(report.rowsCompared > 0, 'rows compared');
  const archived = Object.values(report.archived).reduce((a, b) => a + b, 0);
  assert.equal(archived + expected.malformed, expected.total + EXTRA, `archived ${JSON.stringify(report.archived)} + ${expected.malformed} malformed = every record read once`);
  assert.ok(report.ok, formatReport(report));
});
