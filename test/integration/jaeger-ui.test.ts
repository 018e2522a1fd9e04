/**
 * The Jaeger UI after a production-profile run (issue 13, "done when"): the flagship job
 * reads traffic from Kafka and NATS KV, writes HBase and NATS, and exports every batch's
 * spans over OTLP to the Jaeger of scripts/services (sampling 1.0). Headless Debian Chromium
 * then does what an operator does:
 *
 * 1. opens the search page, picks the job's service and searches;
 * 2. searches the run's time window (other runs may share the service), sorts by span count,
 *    opens a trace whose root is a source poll, and reads the spans the timeline shows (the
 *    same as the query API's); a span's tags and the statistics view open;
 * 3. searches one operator's batches, longest first (the operator that spent the most time);
 * 4. finds under the trace id of step 2 the source's poll, at least three operators and a
 *    sink write (a batch's whole path: issue 13 part 2).
 *
 * Screenshots and the job's last /metrics scrape land in `out/jaeger-ui/` (gitignored;
 * SLUICE_SCREENSHOTS moves them); `scripts/docs-screenshots` copies the pictures
 * docs/operations.md shows into docs/images.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../browser/chromium.ts';
import {
  expandSpan, groupStatistics, JAEGER_QUERY, openResult, openSearchPage, resultTitles, screenshot, searchService,
  sortResults, switchTraceView, timelineSpanNames, waitForResults, widenNameColumn,
} from '../browser/jaeger-ui.ts';
import { REPO } from '../cli/sluice.ts';
import { cleanup } from './kafka-helpers.ts';
import { dropTables } from './hbase-helpers.ts';
import { deployment, produce, recordsToRead, sleep, startJob, until } from './flagship-production.ts';

const SERVICE = 'experiment_analytics';
const EVENTS = 2000;
const MALFORMED = 0.01;
const SHOTS = process.env['SLUICE_SCREENSHOTS'] ?? join(REPO, 'out', 'jaeger-ui');

const d = deployment('jaeger_ui');
/** The run's time window in µs (Jaeger's search parameters). */
const window = { start: 0, end: 0 };
let browser: Browser | undefined;
let page: Page;
/** The trace opened in step 2: its id and the operation names its timeline shows. */
let opened: { traceId: string; names: string[]; page: Page } | undefined;

interface ApiSpan { readonly operationName: string; readonly duration: number; readonly tags: readonly { key: string; value: unknown }[] }
interface ApiTrace { readonly traceID: string; readonly spans: readonly ApiSpan[] }

/** The operator span of `trace` whose watermark trails the most (`sluice.watermark_lag_ms`), among names seen once. */
function mostLagging(trace: ApiTrace): string | undefined {
  const lag = (s: ApiSpan) => s.tags.find((t) => t.key === 'sluice.watermark_lag_ms')?.value;
  const once = trace.spans.filter((s) => trace.spans.filter((x) => x.operationName === s.operationName).length === 1);
  const lagging = once.filter((s) => s.operationName.startsWith('operator ') && typeof lag(s) === 'number');
  return lagging.sort((a, b) => (lag(b) as number) - (lag(a) as number))[0]?.operationName;
}

async function apiTraces(params: Record<string, string>): Promise<ApiTrace[]> {
  const res = await fetch(`${JAEGER_QUERY}/api/traces?${new URLSearchParams(params)}`);
  if (res.status === 404) return [];
  assert.equal(res.status, 200);
  return ((await res.json()) as { data: ApiTrace[] | null }).data ?? [];
}

before(async () => {
  window.start = Date.now() * 1000;
  await produce(d, EVENTS, MALFORMED);
  const job = await startJob(d, ['--events', String(recordsToRead(EVENTS, MALFORMED).total), '--set', 'checkpoint.interval=2s']);
  try {
    // The job's last /metrics before it stops, beside the screenshots (docs/operations.md quotes it).
    let metrics = '';
    let running = true;
    void job.exited.then(() => (running = false));
    while (running) {
      metrics = await fetch(`http://127.0.0.1:${job.metricsPort}/metrics`).then((r) => r.text()).catch(() => metrics);
      await sleep(500);
    }
    assert.equal(await job.exited, 0, job.output().slice(-4000));
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(SHOTS, 'metrics.txt'), metrics);
  } finally {
    job.child.kill('SIGKILL');
  }
  window.end = Date.now() * 1000;
  // The job flushed its spans at exit; Jaeger's batch processor adds up to 200 ms.
  await until('the run\'s source poll spans in Jaeger', 30_000, async () => {
    const t = await apiTraces({ service: SERVICE, start: String(window.start), end: String(window.end), limit: '20', operation: 'source traffic.activations poll' });
    return t.length ? t : undefined;
  }, 500);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
}, { timeout: 600_000 });

after(async () => {
  await browser?.close();
  await cleanup(...Object.values(d.topics));
  await dropTables(Object.values(d.tables));
  rmSync(d.dir, { recursive: true, force: true });
});

void test('the search page lists the job\'s service and finds its traces', { timeout: 120_000 }, async (t) => {
  await openSearchPage(page);
  await searchService(page, SERVICE);
  const titles = await resultTitles(page);
  assert.ok(titles.length > 0 && titles.every((x) => x.startsWith(`${SERVICE}: `)), titles.slice(0, 5).join(' | '));
  t.diagnostic(`search: ${titles.length} traces of ${SERVICE}; ${await screenshot(page, SHOTS, 'search')}`);
});

void test('a trace of the run opens from the results: its spans, a span\'s tags, its statistics', { timeout: 120_000 }, async (t) => {
  // The run's window only, so traces of other runs (other tests, other branches) stay out.
  const q = new URLSearchParams({ service: SERVICE, start: String(window.start), end: String(window.end), lookback: 'custom', limit: '1500' });
  await openSearchPage(page, `?${q}`);
  await waitForResults(page);
  await sortResults(page, 'Most Spans');
  await screenshot(page, SHOTS, 'search-run');
  const { page: tracePage, traceId } = await openResult(page, ' poll');
  const names = await timelineSpanNames(tracePage);
  opened = { traceId, names, page: tracePage };
  assert.ok(names.some((n) => /^source \S+ poll$/.test(n)), `the trace opened from a '… poll' result shows its source poll: ${names.join(', ')}`);
  // The timeline shows every span the API has for that trace.
  const api = (await (await fetch(`${JAEGER_QUERY}/api/traces/${traceId}`)).json()) as { data: ApiTrace[] };
  assert.deepEqual([...names].sort(), api.data[0]!.spans.map((s) => s.operationName).sort(), 'timeline = the API\'s spans');
  await widenNameColumn(tracePage, 0.4);
  await screenshot(tracePage, SHOTS, 'trace');
  await expandSpan(tracePage, mostLagging(api.data[0]!) ?? names.find((n) => n.startsWith('operator ')) ?? names[0]!);
  await screenshot(tracePage, SHOTS, 'span');
  await switchTraceView(tracePage, 'Trace Statistics');
  await tracePage.locator('.title--TraceStatistics').waitFor();
  await groupStatistics(tracePage, 'Operation Name');
  await screenshot(tracePage, SHOTS, 'statistics');
  t.diagnostic(`trace ${traceId}: ${names.length} spans (${names.join(', ')}); screenshots in ${SHOTS}`);
});

void test('an operator\'s slowest batches: the search by operation, longest first', { timeout: 120_000 }, async (t) => {
  // The operator with the most time spent in the run, by the API's spans.
  const spans = (await apiTraces({ service: SERVICE, start: String(window.start), end: String(window.end), limit: '1500' }))
    .flatMap((x) => x.spans);
  const busy = new Map<string, number>();
  for (const s of spans) if (s.operationName.startsWith('operator ')) busy.set(s.operationName, (busy.get(s.operationName) ?? 0) + s.duration);
  assert.ok(busy.size > 0, 'the run has operator spans');
  const [slowest] = [...busy].sort((a, b) => b[1] - a[1])[0]!;
  // The form's own custom range has minute precision: the run's window goes in the address.
  const q = new URLSearchParams({ service: SERVICE, operation: slowest, start: String(window.start), end: String(window.end), lookback: 'custom', limit: '1500' });
  await openSearchPage(page, `?${q}`);
  await waitForResults(page);
  await sortResults(page, 'Longest First');
  const titles = await resultTitles(page);
  assert.ok(titles.length > 0, 'results');
  t.diagnostic(`${slowest}: ${(busy.get(slowest)! / 1000).toFixed(0)} ms in the run, the most of any operator; ${titles.length} traces; ${await screenshot(page, SHOTS, 'search-operator')}`);
});

void test('one trace id holds the source\'s poll, at least three operators and a sink write', { timeout: 60_000 }, () => {
  assert.ok(opened, 'a trace was opened');
  const { traceId, names } = opened;
  const sources = names.filter((n) => /^source \S+ poll$/.test(n));
  // Distinct operators (`operator <id> flush` is the same operator releasing held updates).
  const operators = new Set(names.filter((n) => n.startsWith('operator ')).map((n) => n.replace(/ flush$/, '')));
  const sinks = names.filter((n) => /^sink \S+ write$/.test(n));
  assert.ok(
    sources.length >= 1 && operators.size >= 3 && sinks.length >= 1,
    `trace ${traceId} (the run's trace with most spans under a source poll) holds ${sources.length} source poll(s), ` +
      `${operators.size} operator(s) and ${sinks.length} sink write(s): [${names.join(', ')}]; a batch's path is one trace only once ` +
      'the engine parents its operator and sink spans on the source poll (issue 13 part 2)',
  );
});
