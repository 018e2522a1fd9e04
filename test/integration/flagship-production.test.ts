/**
 * The flagship's `production` profile end to end on the real services: generated traffic
 * produced to Kafka (activations, actions) and NATS KV (metadata) by
 * pipelines/produce_traffic.yaml, the job run through the CLI with NODE_ENV=production
 * (checkpoints in HBase, traces over OTLP to Jaeger, /metrics served), then:
 *
 * - mid-run, once the first part of the traffic is read and the job is idle, a scrape of
 *   /metrics has per-operator counters equal to what was written: the archive files' lines,
 *   the dead-letter topic's messages, the alerts received, each sink's input = its upstream
 *   operator's output;
 * - the second part is produced, the job drains (`--events` = all it will read) and
 *   `sluice validate` reads the HBase counts table back through REST and finds it equal to
 *   the DuckDB recomputation from the archive;
 * - the alerts arrive on a NATS subscription, one message per alert the job wrote;
 * - malformed messages reach the dead-letter topic with their topic, partition and offset;
 * - Jaeger's query API has, for every block of the pipeline, a span with the engine's
 *   attributes, and a checkpoint span.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { validateRun } from '../../plugins/experiment-analytics/validate/index.ts';
import { compilePipeline } from '../../core/runtime/graph/index.ts';
import { registryForPipelines } from '../../core/runtime/plugins/index.ts';
import { SPAN_ATTR } from '../../core/telemetry/index.ts';
import { REPO } from '../cli/sluice.ts';
import { cleanup, produce as send, readAll } from './kafka-helpers.ts';
import { dropTables } from './hbase-helpers.ts';
import { deployment, metric, produce, runFolder, scrape, startJob, trafficCounts, until } from './flagship-production.ts';
import type { Srm } from './flagship-production.ts';

const QUERY = process.env['SLUICE_JAEGER_QUERY'] ?? 'http://127.0.0.1:16686';
const FIRST = 3000;
const TOTAL = 6000;
const MALFORMED = 0.01;
const SRM: Srm = { experiment: 4, loss: 0.05 };
/** The generator's first event time and spacing (its defaults). */
const START = 1_767_225_600_000;
const EVENT_MS = 750;

/**
 * A harmful experiment written by hand between the two parts, so alerts are sure to flow at
 * this small size (the generator's effects need far more users to be detected): 200 users
 * per group, clicks (up is good) by half of control and by 15% of treatment, an impression
 * each. Its times follow part one, within the pipeline's out-of-orderness.
 */
async function writeHarmfulExperiment(nc: NatsConnection): Promise<number> {
  const t0 = START + FIRST * EVENT_MS;
  const kv = await new Kvm(nc).open(d.bucket);
  const launch = t0 - 3_600_000;
  await kv.put('exp_harm', JSON.stringify({
    event_id: 'm-exp_harm-0', experiment_id: 'exp_harm', groups: ['control', 'treatment'], control: 'control',
    weights: { control: 0.5, treatment: 0.5 }, alpha: 0.05, n_star: 2500, actions: { click: 'up_is_good', impression: 'none' },
    ramps: [{ ts: launch, weights: { control: 0.5, treatment: 0.5 } }], effective_from: launch, ts: launch - 3_600_000,
  }));
  const activations = [];
  const actions = [];
  for (let i = 0; i < 400; i++) {
    const user = `harm_u${i}`;
    const group = i % 2 === 0 ? 'control' : 'treatment';
    const t = t0 + i * 25;
    activations.push({ key: user, value: JSON.stringify({ event_id: `harm-a-${i}`, user_id: user, experiment_id: 'exp_harm', group, ts: t }) });
    actions.push({ key: user, value: JSON.stringify({ event_id: `harm-i-${i}`, user_id: user, action: 'impression', ts: t + 1000 }) });
    const k = i >> 1;
    if (group === 'control' ? k % 2 === 0 : k % 20 < 3) actions.push({ key: user, value: JSON.stringify({ event_id: `harm-c-${i}`, user_id: user, action: 'click', ts: t + 2000 }) });
  }
  await send(d.topics.activations, activations);
  await send(d.topics.actions, actions);
  return activations.length + actions.length;
}

const d = deployment('flagship_prod');
after(async () => {
  await cleanup(...Object.values(d.topics));
  await dropTables(Object.values(d.tables));
  rmSync(d.dir, { recursive: true, force: true });
});

const lines = (path: string): number => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').length;

interface JaegerSpan { readonly operationName: string; readonly tags: readonly { key: string; value: unknown }[] }

async function spansSince(operation: string, startUs: number): Promise<JaegerSpan[]> {
  const url = `${QUERY}/api/traces?service=experiment_analytics&operation=${encodeURIComponent(operation)}&start=${startUs}&lookback=1h&limit=5`;
  const res = await fetch(url);
  if (res.status === 404) return [];
  assert.equal(res.status, 200, `${url} answered ${res.status}`);
  const body = (await res.json()) as { data: { spans: JaegerSpan[] }[] | null };
  return (body.data ?? []).flatMap((t) => t.spans).filter((s) => s.operationName === operation);
}

void test('production profile: Kafka + NATS KV in, HBase out equal to the recomputation, alerts on NATS, dead letters, metrics, traces', { timeout: 600_000 }, async (t) => {
  const startedUs = Date.now() * 1000;
  const nc = await connect({ servers: '127.0.0.1:4222' });
  const alerts: Msg[] = [];
  const sub = nc.subscribe(`${d.alertsSubject}.>`, { callback: (_e, m) => void alerts.push(m) });
  try {
    await produce(d, FIRST, MALFORMED, 3, SRM);
    const harmful = await writeHarmfulExperiment(nc);
    const first = trafficCounts(FIRST, MALFORMED, 3, SRM);
    const all = trafficCounts(TOTAL, MALFORMED, 3, SRM);
    // Read at start: part one, the hand-written experiment and the bucket's latest value per
    // experiment; then every record of part two and every put into the bucket.
    const firstRead = first.activations + first.actions + harmful + first.experiments + 1;
    const total = all.activations + all.actions + harmful + first.experiments + 1 + (all.metadataRecords - first.metadataRecords);
    const job = await startJob(d, ['--events', String(total), '--set', 'checkpoint.interval=2s']);
    try {
      // --- mid-run: part one read, the job idle; counters against what was written
      const settled = await until('the job to read part one and go idle', 120_000, async () => {
        const m = await scrape(job.metricsPort);
        if (!m) return undefined;
        const read = ['traffic.activations', 'traffic.actions', 'traffic.metadata'].reduce((n, id) => n + (metric(m, 'sluice_records_in_total', { operator: id }) ?? 0), 0);
        if (read < firstRead) return undefined;
        // Idle: the same counters two scrapes in a row, a second apart.
        await new Promise((r) => setTimeout(r, 1000));
        const again = await scrape(job.metricsPort);
        const same = again && [...m].every(([k, v]) => !k.startsWith('sluice_records_') || again.get(k) === v);
        return same ? again : undefined;
      }, 500);
      assert.equal(metric(settled, 'sluice_records_in_total', { operator: 'traffic.activations' }), first.activations + 400, 'activations read');
      assert.equal(metric(settled, 'sluice_records_in_total', { operator: 'traffic.actions' }), first.actions + harmful - 400, 'actions read');
      assert.equal(metric(settled, 'sluice_records_in_total', { operator: 'traffic.metadata' }), first.experiments + 1, 'bucket values read');
      const run = runFolder(d);
      for (const [sink, file] of [['archive_activations', 'activations'], ['archive_actions', 'actions'], ['archive_metadata', 'metadata']] as const) {
        assert.equal(metric(settled, 'sluice_records_out_total', { operator: sink }), lines(join(run, 'archive', `${file}.jsonl`)), `${sink}: counter = lines written`);
      }
      const deadSoFar = await readAll(d.topics.deadLetter);
      assert.equal(metric(settled, 'sluice_records_out_total', { operator: 'dead_letter' }), deadSoFar.length, 'dead letters: counter = messages in the topic');
      assert.equal(deadSoFar.length, first.malformed, 'every malformed message of part one is dead-lettered');
      await nc.flush();
      assert.equal(metric(settled, 'sluice_records_out_total', { operator: 'alerts_file' }) ?? 0, alerts.length, 'alerts: counter = messages received');
      // Each sink's input is its upstream operator's output.
      for (const [sink, upstream] of [['counts_store', 'counts'], ['stats_store', 'stats']] as const) {
        const written = metric(settled, 'sluice_records_out_total', { operator: sink });
        assert.ok(written !== undefined && written > 0, `${sink} wrote`);
        assert.equal(metric(settled, 'sluice_records_in_total', { operator: sink }), metric(settled, 'sluice_records_out_total', { operator: upstream }), `${sink} in = ${upstream} out`);
      }
      t.diagnostic(`mid-run scrape: ${firstRead} records read, ${deadSoFar.length} dead letters, ${alerts.length} alerts, counts_store ${metric(settled, 'sluice_records_out_total', { operator: 'counts_store' })} rows written`);

      // --- part two; the job drains and stops
      await produce(d, TOTAL, MALFORMED, 3, SRM);
      const code = await job.exited;
      assert.equal(code, 0, job.output().slice(-4000));
    } finally {
      job.child.kill('SIGKILL');
    }
    assert.match(job.output(), /restor|checkpoint 1 complete/);
    assert.match(job.output(), /store":"hbase /, 'checkpoints go to HBase');

    // --- HBase (through REST) equals the DuckDB recomputation
    const report = await validateRun({ run: runFolder(d) });
    assert.deepEqual(report.mismatches, [], 'validate mismatches');
    assert.ok(report.ok, report.failures.join('\n'));
    assert.ok(report.rowsCompared > 50, `rows compared: ${report.rowsCompared}`);
    t.diagnostic(`validate: ${report.rowsCompared} rows compared, HBase table ${d.tables.counts}`);

    // --- alerts on NATS: one message per alert the job wrote, SRM on the hot experiment among them
    await nc.flush();
    const summary = JSON.parse(readFileSync(join(runFolder(d), 'summary.json'), 'utf8')) as object;
    assert.ok(summary);
    const received = alerts.map((m) => m.json<{ alert_id: string; kind?: string; experiment_id: string }>());
    assert.ok(received.length > 0, 'alerts received');
    assert.equal(new Set(received.map((a) => a.alert_id)).size, received.length, 'each alert once');
    assert.ok(received.some((a) => a.experiment_id === 'exp_harm'), 'the harm of exp_harm is alerted');
    for (const m of alerts) assert.equal(m.subject, `${d.alertsSubject}.${m.json<{ experiment_id: string }>().experiment_id}`);
    t.diagnostic(`alerts received on NATS: ${received.length}`);

    // --- dead letters: each malformed message with its topic, partition and offset
    const dead = (await readAll(d.topics.deadLetter)).map((m) => JSON.parse(m.value) as { reason: string; provenance: { source: string; partition: string; offset: number } });
    assert.equal(dead.length, trafficCounts(TOTAL, MALFORMED, 3, SRM).malformed, 'every malformed message is dead-lettered once');
    const byTopic = new Map([[d.topics.activations, await readAll(d.topics.activations)], [d.topics.actions, await readAll(d.topics.actions)]]);
    for (const row of dead) {
      assert.equal(row.reason, 'bad_json');
      const cut = row.provenance.partition.lastIndexOf(':');
      const [topic, partition] = [row.provenance.partition.slice(0, cut), Number(row.provenance.partition.slice(cut + 1))];
      const original = byTopic.get(topic)?.find((m) => m.partition === partition && Number(m.offset) === row.provenance.offset);
      assert.ok(original, `the dead letter names ${row.provenance.partition}@${row.provenance.offset}, which exists`);
      assert.throws(() => JSON.parse(original.value), `${row.provenance.partition}@${row.provenance.offset} is the malformed one`);
    }

    // --- Jaeger: a span per block with the engine's attributes, and a checkpoint span
    // The built-ins and the flagship's package (sluice-experiment-analytics), as `sluice run` loads them.
    const { registry } = await registryForPipelines([join(REPO, 'pipelines/experiment_analytics.yaml')], { cwd: REPO, env: d.env });
    const compiled = compilePipeline({ file: join(REPO, 'pipelines/experiment_analytics.yaml'), text: readFileSync(join(REPO, 'pipelines/experiment_analytics.yaml'), 'utf8'), env: d.env, profile: 'production', plugins: registry } as never);
    const p = compiled.pipeline!;
    const names = [
      ...p.sources.map((s) => [s.id, `source ${s.id} poll`] as const),
      ...p.operators.map((o) => [o.id, `operator ${o.id}`] as const),
      ...p.sinks.map((s) => [s.id, `sink ${s.id} write`] as const),
    ];
    for (const [id, name] of names) {
      const spans = await until(`a span '${name}' in Jaeger`, 30_000, async () => {
        const s = await spansSince(name, startedUs);
        return s.length ? s : undefined;
      }, 500);
      const tags = new Map(spans[0]!.tags.map((x) => [x.key, x.value]));
      assert.equal(tags.get(SPAN_ATTR.operatorId), id);
      for (const key of [SPAN_ATTR.recordsIn, SPAN_ATTR.recordsOut, SPAN_ATTR.processingMs]) assert.equal(typeof tags.get(key), 'number', `${name}: ${key}`);
    }
    const checkpoints = await until('a checkpoint span', 30_000, async () => {
      const s = await spansSince('checkpoint', startedUs);
      return s.length ? s : undefined;
    }, 500);
    assert.equal(new Map(checkpoints[0]!.tags.map((x) => [x.key, x.value])).get(SPAN_ATTR.checkpointOutcome), 'completed');
    t.diagnostic(`Jaeger: spans of all ${names.length} blocks and a checkpoint span`);
  } finally {
    sub.unsubscribe();
    await nc.close();
  }
});
