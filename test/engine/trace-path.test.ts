/**
 * Traces along a batch's path (docs/architecture.md §6), with the in-memory exporter: a
 * source poll is a trace's root and every operator and sink span of its batch is a child in
 * the same trace; sampling is decided at the root for the whole path; a union's span links
 * to its other input, a mini-batch flush to the batches it merged, a poll to the producers
 * named by `traceparent`; checkpoints are their own traces with a span per block; spans
 * carry the watermark lag and the sinks' end-to-end latency, metrics too.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ManualClock } from '../../core/api/index.ts';
import type { SourceChunk } from '../../core/api/index.ts';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import type { EngineOptions } from '../../core/runtime/engine/index.ts';
import { SPAN_ATTR, createTelemetry } from '../../core/telemetry/index.ts';
import type { Telemetry } from '../../core/telemetry/index.ts';
import { filterPlugin } from '../../plugins/operator-filter/index.ts';
import { mapPlugin } from '../../plugins/operator-map/index.ts';
import { unionPlugin } from '../../plugins/operator-union/index.ts';
import { behaviours, compileYaml, resetFixtures, scripts } from './fixtures.ts';
import { runningSum } from './test-operators.ts';

beforeEach(resetFixtures);

const CHAIN = `
name: chain
sources:
  s:
    scripted: { script: s }
    event_time: { field: ts, max_out_of_orderness: 0s }
operators:
  keep:
    input: s
    filter: { where: "n % 2 == 0" }
  priced:
    input: keep
    map: { set: { m: "n * 10" } }
sinks:
  out:
    input: priced
    collect: { name: out }
`;

function steps(batches: number, size = 10, start = 1000): SourceChunk[][] {
  return Array.from({ length: batches }, (_, k) => [{ partition: 0, values: Array.from({ length: size }, (_, i) => ({ n: k * size + i, ts: start + k * size + i })) }]);
}

async function run(yaml: string, telemetry: Telemetry, options: EngineOptions = {}, plugins: readonly object[] = [filterPlugin, mapPlugin]): Promise<ReadableSpan[]> {
  const r = await runJob(compileYaml(yaml, plugins), { telemetry, checkpoint: { store: null }, ...options });
  assert.equal(r.status, 'finished');
  return telemetry.spans!.getFinishedSpans();
}

const byTrace = (spans: readonly ReadableSpan[]) => {
  const out = new Map<string, ReadableSpan[]>();
  for (const s of spans) {
    const id = s.spanContext().traceId;
    out.set(id, [...(out.get(id) ?? []), s]);
  }
  return out;
};
const named = (spans: readonly ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

void test('a poll starts a trace: every operator and sink span of its batch is a child in the same trace', async () => {
  const telemetry = createTelemetry({ serviceName: 'chain', exporter: 'memory' });
  scripts.set('s', { steps: steps(5) });
  const spans = await run(CHAIN, telemetry);
  const traces = byTrace(spans);
  assert.equal(traces.size, 5, 'one trace per polled batch');
  for (const [, t] of traces) {
    const [poll] = named(t, 'source s poll');
    const [keep] = named(t, 'operator keep');
    const [priced] = named(t, 'operator priced');
    const [write] = named(t, 'sink out write');
    assert.ok(poll && keep && priced && write, `a whole path: ${t.map((s) => s.name).join(', ')}`);
    assert.equal(t.length, 4);
    assert.equal(parentOf(poll), undefined, 'the poll is the root');
    assert.equal(parentOf(keep), poll.spanContext().spanId);
    assert.equal(parentOf(priced), keep.spanContext().spanId);
    assert.equal(parentOf(write), priced.spanContext().spanId);
  }
  await telemetry.shutdown();
});

void test('sampling is decided at the root: a batch is traced along its whole path or not at all', async () => {
  const telemetry = createTelemetry({ serviceName: 'chain', exporter: 'memory', sampleRatio: 0.5 });
  scripts.set('s', { steps: steps(60, 4) });
  const spans = await run(CHAIN, telemetry);
  const traces = byTrace(spans);
  assert.ok(traces.size > 5 && traces.size < 55, `${traces.size} of 60 batches sampled`);
  for (const [, t] of traces) assert.deepEqual(t.map((s) => s.name).sort(), ['operator keep', 'operator priced', 'sink out write', 'source s poll']);
  await telemetry.shutdown();
});

void test('where inputs meet, the span is a child of its own input and links to the latest batch of the other', async () => {
  const telemetry = createTelemetry({ serviceName: 'meet', exporter: 'memory' });
  scripts.set('a', { steps: steps(4) });
  scripts.set('b', { steps: steps(4, 10, 1005) });
  const spans = await run(
    `
name: meet
sources:
  a: { scripted: { script: a }, event_time: { field: ts, max_out_of_orderness: 0s } }
  b: { scripted: { script: b }, event_time: { field: ts, max_out_of_orderness: 0s } }
operators:
  both:
    input: [a, b]
    union: {}
sinks:
  out: { input: both, collect: { name: out } }
`,
    telemetry,
    {},
    [unionPlugin],
  );
  const polls = new Map(spans.filter((s) => s.name.startsWith('source ')).map((s) => [s.spanContext().spanId, s.name]));
  const unions = named(spans, 'operator both');
  assert.equal(unions.length, 8);
  for (const u of unions) {
    const own = polls.get(parentOf(u)!);
    assert.ok(own, 'the parent is a poll');
    for (const l of u.links) assert.notEqual(polls.get(l.context.spanId), own, 'a link goes to the other input');
    assert.equal(u.attributes[SPAN_ATTR.mergedLinks], u.links.length);
  }
  assert.ok(unions.filter((u) => u.links.length === 1).length >= 6, 'once both inputs have sent, each span links the other');
  await telemetry.shutdown();
});

void test('a mini-batch flush is a child of one merged batch and links to the others', async () => {
  const telemetry = createTelemetry({ serviceName: 'sums', exporter: 'memory' });
  const polls = steps(6).map(([c]) => [{ ...c!, values: c!.values!.map((v) => ({ k: `k${(v.n as number) % 3}`, v: v.n, ts: v.ts })) }]);
  scripts.set('s', { steps: polls });
  const spans = await run(
    `
name: sums
sources:
  s: { scripted: { script: s }, event_time: { field: ts, max_out_of_orderness: 0s } }
operators:
  sums: { input: s, running_sum: { key: k } }
sinks:
  out: { input: sums, collect: { name: out } }
`,
    telemetry,
    { miniBatch: { maxRows: 10_000, maxDelayMs: 60_000 } },
    [runningSum],
  );
  const flushes = named(spans, 'operator sums flush');
  assert.ok(flushes.length >= 1);
  const sumSpans = new Map(named(spans, 'operator sums').map((s) => [s.spanContext().spanId, s]));
  const merged = flushes.find((f) => f.links.length > 0);
  assert.ok(merged, 'a flush that merged several batches links to them');
  assert.ok(sumSpans.has(parentOf(merged)!), 'its parent is the span of a batch it merged');
  for (const l of merged.links) assert.ok(sumSpans.has(l.context.spanId));
  assert.equal(merged.links.length, merged.attributes[SPAN_ATTR.mergedLinks]);
  const writes = named(spans, 'sink out write');
  assert.ok(writes.every((w) => flushes.some((f) => f.spanContext().spanId === parentOf(w))), 'sink writes are children of flushes');
  await telemetry.shutdown();
});

void test('a poll links to the sampled producers named by its records\' traceparent headers', async () => {
  const telemetry = createTelemetry({ serviceName: 'chain', exporter: 'memory' });
  const producer = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const unsampled = '00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-00';
  const s = steps(2);
  s[0] = [{ ...s[0]![0]!, traceparents: [producer, unsampled] }];
  scripts.set('s', { steps: s });
  const spans = await run(CHAIN, telemetry);
  const [first, second] = named(spans, 'source s poll');
  assert.deepEqual(first!.links.map((l) => [l.context.traceId, l.context.spanId]), [['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331']]);
  assert.equal(first!.attributes[SPAN_ATTR.producerLinks], 1);
  assert.deepEqual(second!.links, []);
  await telemetry.shutdown();
});

void test('a checkpoint is its own trace with a span per block, sampled by its own ratio', async () => {
  for (const checkpointSampleRatio of [1, 0]) {
    resetFixtures();
    const telemetry = createTelemetry({ serviceName: 'chain', exporter: 'memory', checkpointSampleRatio });
    scripts.set('s', { steps: steps(3) });
    const spans = await run(CHAIN, telemetry, { checkpoint: { store: new MemoryCheckpointStore(), interval: 0 } });
    const roots = named(spans, 'checkpoint');
    assert.equal(named(spans, 'source s poll').length, 3, 'batches traced either way');
    if (checkpointSampleRatio === 0) {
      assert.equal(spans.filter((s) => s.name.startsWith('checkpoint')).length, 0);
      continue;
    }
    assert.equal(roots.length, 1);
    const root = roots[0]!;
    assert.equal(parentOf(root), undefined);
    const children = spans.filter((s) => parentOf(s) === root.spanContext().spanId).map((s) => s.name).sort();
    assert.deepEqual(children, ['checkpoint operator keep', 'checkpoint operator priced', 'checkpoint sink dead_letter', 'checkpoint sink late', 'checkpoint sink out', 'checkpoint source s']);
    assert.ok(spans.filter((s) => s.name.startsWith('checkpoint ')).every((s) => s.spanContext().traceId === root.spanContext().traceId));
    await telemetry.shutdown();
  }
});

void test('the watermark lag is measured against the newest event time read, the latency from the read to the write', async () => {
  const telemetry = createTelemetry({ serviceName: 'chain', exporter: 'memory' });
  const clock = new ManualClock(50_000);
  const lags: number[] = [];
  const writtenAt: number[] = [];
  // Poll k is read at 51 000 + 1000 k; before the last one, the lag gauge is read.
  scripts.set('s', {
    steps: steps(4),
    beforePoll: async (k) => {
      clock.advance(1000);
      if (k !== 3) return;
      const { resourceMetrics } = await telemetry.collectMetrics();
      const gauge = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'sluice_watermark_lag_ms');
      for (const d of gauge?.dataPoints ?? []) lags.push(d.value as number);
    },
  });
  behaviours.set('out', { beforeWrite: () => void writtenAt.push(clock.now()) });
  const spans = await run(CHAIN, telemetry, { clock, logicalClockStep: 0 });
  for (const keep of named(spans, 'operator keep')) {
    // Out-of-orderness 0: the watermark is the newest event time − 1, whatever the wall clock says.
    assert.equal(keep.attributes[SPAN_ATTR.watermarkLagMs], 1);
    assert.ok((keep.attributes[SPAN_ATTR.eventTimeLagMs] as number) > 40_000, 'the wall-clock lag is the data\'s age');
  }
  // Operators behind the source by whole batches of 10 ms of event time, or by 1 ms when caught up.
  assert.ok(lags.length === 2 && lags.every((l) => l >= 1 && (l - 1) % 10 === 0), `lags ${lags.join(', ')}`);
  const writes = named(spans, 'sink out write');
  assert.equal(writes.length, 4);
  // Measured when the write is done: from the poll's read (51 000 + 1000 k) to a clock reading
  // no earlier than the write's start (the source may move the clock on meanwhile).
  writes.forEach((w, k) => {
    const e2e = w.attributes[SPAN_ATTR.endToEndLatencyMs] as number;
    assert.ok(e2e >= writtenAt[k]! - (51_000 + 1000 * k) && e2e <= clock.now() - (51_000 + 1000 * k) && e2e % 1000 === 0, `write ${k}: ${e2e}`);
  });
  const { resourceMetrics } = await telemetry.collectMetrics();
  const metrics = new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
  const e2e = metrics.get('sluice_end_to_end_latency_ms')!.dataPoints.find((d) => d.attributes.operator === 'out')!.value as { count: number };
  assert.equal(e2e.count, 4);
  await telemetry.shutdown();
});
