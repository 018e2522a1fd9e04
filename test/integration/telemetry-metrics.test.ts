/**
 * Prometheus `/metrics` and `/ready` of a running job, over real HTTP: scraped during the
 * run and after the last batch, the per-stage counters equal the records the file sink
 * wrote (the lines of its file); `/ready` is 200 while the job runs and 503 after; a
 * source's own gauge, published through `services.meter`, is on the same endpoint; sink
 * retries of `TransientSinkError` are counted.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, field, services } from '../../core/api/index.ts';
import { loadRuntimeConfig } from '../../core/runtime/config/load.ts';
import { createJobContainer } from '../../core/runtime/di/index.ts';
import { runJob, startJob } from '../../core/runtime/engine/index.ts';
import { createTelemetry } from '../../core/telemetry/index.ts';
import { behaviours, collectSink, compileYaml, resetFixtures } from '../engine/fixtures.ts';
import { STAGES, telemetryPipeline } from './telemetry-pipeline.ts';

beforeEach(resetFixtures);

/** Parses the Prometheus text format into `name{labels}` → value. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

function counter(m: Map<string, number>, name: string, operator: string): number | undefined {
  for (const [k, v] of m) if (k.startsWith(`${name}{`) && k.includes(`operator="${operator}"`)) return v;
  return undefined;
}

async function scrape(port: number): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  return parse(await res.text());
}

const ready = async (port: number) => (await fetch(`http://127.0.0.1:${port}/ready`)).status;

void test('scraped during and after the run, per-stage counters match the file sink; /ready follows the job', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-metrics-'));
  const telemetry = createTelemetry({ serviceName: 'metrics_test' });
  try {
    const server = await telemetry.serveMetrics('127.0.0.1', 0);
    const port = server.port!;
    assert.equal(await ready(port), 503, 'not ready before the job runs');
    // 60 000 records at 20 000/s: about three seconds of running time to scrape in.
    const pipeline = telemetryPipeline('metrics_test', dir, 60_000);
    const gen = pipeline.sources[0]!;
    (gen.config as { rate?: number }).rate = 20_000;
    const job = startJob(pipeline, { telemetry, batchSize: 256, checkpoint: { store: null } });
    let during: Map<string, number> | undefined;
    let wasReady = false;
    for (let i = 0; i < 400 && !during; i++) {
      if ((await ready(port)) === 200) {
        wasReady = true;
        const m = await scrape(port);
        if ((counter(m, 'sluice_records_in_total', 'gen') ?? 0) > 0) during = m;
      }
      if (!during) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(wasReady, '/ready answered 200 while the job ran');
    assert.ok(during, 'a scrape during the run saw records');
    const r = await job.result;
    assert.equal(r.status, 'finished');
    const duringIn = counter(during, 'sluice_records_in_total', 'gen')!;
    assert.ok(duringIn < 60_000, `the scrape came during the run (${duringIn} records in)`);

    const after = await scrape(port);
    assert.equal(await ready(port), 503, 'not ready after the job ended');
    const lines = readFileSync(join(dir, 'out.jsonl'), 'utf8').split('\n').filter(Boolean).length;
    assert.ok(lines > 0);
    assert.equal(counter(after, 'sluice_records_out_total', 'out'), lines, 'the sink counted the lines it wrote');
    assert.equal(counter(after, 'sluice_records_out_total', 'per_user'), lines);
    assert.equal(counter(after, 'sluice_records_in_total', 'gen'), 60_000);
    for (const [id] of STAGES) {
      const stage = r.stages[id]!;
      assert.equal(counter(after, 'sluice_records_in_total', id), stage.in, `${id}: records in`);
      if (stage.out) assert.equal(counter(after, 'sluice_records_out_total', id), stage.out, `${id}: records out`);
      // During the run, each counter was on its way there.
      assert.ok((counter(during, 'sluice_records_in_total', id) ?? 0) <= stage.in);
    }
    assert.ok([...after.keys()].some((k) => k.startsWith('sluice_processing_latency_ms_bucket{')), 'latency histogram');
    assert.ok([...during.keys()].some((k) => k.startsWith('sluice_queue_depth{')), 'queue depths');
    assert.ok([...during.keys()].some((k) => k.startsWith('sluice_watermark_ms{')), 'watermarks');
    assert.ok([...during.keys()].some((k) => k.startsWith('sluice_backpressure_ratio{')), 'source back-pressure');
  } finally {
    await telemetry.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A source that publishes its own gauge through the meter service it declares. */
const gaugedSource = definePlugin({
  kind: 'source',
  name: 'gauged',
  summary: 'Test source: publishes sluice_test_lag through services.meter.',
  spec: field.object({}),
  deps: { meter: services.meter },
  create({ deps }) {
    let lag = 41;
    deps.meter.createObservableGauge('sluice_test_lag', { description: 'Test gauge.' }).addCallback((r) => r.observe(lag, { partition: '0' }));
    let polls = 0;
    return {
      open: () => Promise.resolve(),
      poll: () => {
        lag++;
        return Promise.resolve(polls++ < 3 ? [{ partition: 0, values: [{ n: polls, ts: polls }] }] : null);
      },
      position: () => polls,
      close: () => Promise.resolve(),
    };
  },
});

void test('the job serves its own /metrics (engine option metrics); a plugin gauge from services.meter and sink retries are on it', async () => {
  const loaded = loadRuntimeConfig({ env: {}, nodeEnv: 'development' }).config;
  const config = { ...loaded, log: { level: 'info' as const } };
  let port: number | undefined;
  const container = createJobContainer(config, {
    job: 'gauged_job',
    logWrite: (line) => {
      const m = /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(line);
      if (m) port = Number(m[1]);
    },
  });
  let seen: Map<string, number> | undefined;
  let readyWhileRunning: number | undefined;
  behaviours.set('out', {
    failures: ['transient', 'transient', undefined],
    // Scrape from inside the run, while the third write (after two retries) is in flight.
    beforeWrite: async (_b, n) => {
      if (n !== 2 || port === undefined) return;
      readyWhileRunning = await ready(port);
      seen = await scrape(port);
    },
  });
  const pipeline = compileYaml(
    `
name: gauged_job
sources:
  g:
    gauged: {}
    event_time: { field: ts, max_out_of_orderness: 0s }
sinks:
  out:
    input: g
    collect: { name: out }
`,
    [gaugedSource, collectSink],
  );
  const r = await runJob(pipeline, { container, metrics: { host: '127.0.0.1', port: 0 }, batchSize: 16, sinkRetry: { initial: 1, max: 2 }, checkpoint: { store: null } });
  assert.equal(r.status, 'finished');
  assert.ok(port !== undefined, 'the job logged its metrics port');
  assert.equal(readyWhileRunning, 200);
  assert.ok(seen, "scraped during the run");
  const lag = [...seen].find(([k]) => k.startsWith('sluice_test_lag{') && k.includes('partition="0"'))?.[1];
  assert.ok(lag !== undefined, 'the plugin gauge is on /metrics');
  assert.ok(lag > 41, `the gauge reads the plugin's live value (${lag})`);
  assert.equal(counter(seen, 'sluice_sink_retries_total', 'out'), 2, 'two transient failures, two retries');
  await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'the job closed its endpoint when it ended');
});
