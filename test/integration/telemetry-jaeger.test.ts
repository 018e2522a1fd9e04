/**
 * Traces to the real Jaeger (scripts/services up): a small pipeline exports its spans over
 * OTLP/HTTP with the pipeline's name as service name; Jaeger's query API then has, for
 * every block of the pipeline, a span with the engine's attributes, and a checkpoint span.
 * With both sample ratios 0 nothing arrives.
 *
 * Query: `GET http://127.0.0.1:16686/api/traces?service=<name>&operation=<span name>&lookback=1h&limit=20`
 * (Jaeger v2's HTTP API, docs/services.md), polled until the spans are there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import { createTelemetry, SPAN_ATTR } from '../../core/telemetry/index.ts';
import { STAGES, telemetryPipeline } from './telemetry-pipeline.ts';

const OTLP = process.env['SLUICE_JAEGER_OTLP'] ?? 'http://127.0.0.1:4318';
const QUERY = process.env['SLUICE_JAEGER_QUERY'] ?? 'http://127.0.0.1:16686';

interface JaegerTag {
  readonly key: string;
  readonly value: unknown;
}
interface JaegerSpan {
  readonly operationName: string;
  readonly tags: readonly JaegerTag[];
}

async function spansOf(service: string, operation: string): Promise<JaegerSpan[]> {
  const url = `${QUERY}/api/traces?service=${encodeURIComponent(service)}&operation=${encodeURIComponent(operation)}&lookback=1h&limit=20`;
  const res = await fetch(url);
  if (res.status === 404) return [];
  assert.equal(res.status, 200, `${url} answered ${res.status}`);
  const body = (await res.json()) as { data: { spans: JaegerSpan[] }[] | null };
  return (body.data ?? []).flatMap((t) => t.spans).filter((s) => s.operationName === operation);
}

/** Polls until `operation` has a span (or `timeoutMs` passes); the last answer. */
async function poll(service: string, operation: string, timeoutMs: number): Promise<JaegerSpan[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const spans = await spansOf(service, operation);
    if (spans.length || Date.now() > until) return spans;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const tagsOf = (span: JaegerSpan) => new Map(span.tags.map((t) => [t.key, t.value]));

function spanName(id: string, kind: 'source' | 'operator' | 'sink'): string {
  return kind === 'source' ? `source ${id} poll` : kind === 'sink' ? `sink ${id} write` : `operator ${id}`;
}

function stageKind(id: string): 'source' | 'operator' | 'sink' {
  return id === 'gen' ? 'source' : id === 'out' ? 'sink' : 'operator';
}

async function runTraced(sampleRatio: number): Promise<string> {
  const service = `sluice_trace_test_${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-jaeger-'));
  try {
    const telemetry = createTelemetry({ serviceName: service, exporter: 'otlp', endpoint: OTLP, sampleRatio, checkpointSampleRatio: sampleRatio });
    const r = await runJob(telemetryPipeline(service, dir, 3000), { telemetry, batchSize: 500, checkpoint: { store: new MemoryCheckpointStore(), interval: 0 } });
    assert.equal(r.status, 'finished');
    await telemetry.flush();
    await telemetry.shutdown();
    return service;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void test('every block of the pipeline has a span with the engine attributes in Jaeger, and a checkpoint span', async () => {
  const service = await runTraced(1);
  for (const [id, plugin] of STAGES) {
    const name = spanName(id, stageKind(id));
    const spans = await poll(service, name, 15_000);
    assert.ok(spans.length > 0, `no span '${name}' of service ${service} in Jaeger`);
    // A span of a batch the stage took in: an operator's span for output its timers fired on a
    // watermark (a window closing) has no records in.
    const batchSpan = spans.find((span) => ((tagsOf(span).get(SPAN_ATTR.recordsIn) as number) ?? 0) > 0);
    assert.ok(batchSpan, `${name}: records in, on one of ${spans.length} spans`);
    const tags = tagsOf(batchSpan);
    assert.equal(tags.get(SPAN_ATTR.operatorId), id);
    assert.equal(tags.get(SPAN_ATTR.operatorKind), plugin);
    for (const key of [SPAN_ATTR.recordsIn, SPAN_ATTR.recordsOut, SPAN_ATTR.processingMs, SPAN_ATTR.eventTimeLagMs]) {
      assert.equal(typeof tags.get(key), 'number', `${name}: ${key} is ${String(tags.get(key))}`);
    }
    // The watermark is absent only while it is still −∞ (a sink's first write, say).
    assert.ok(
      spans.some((span) => typeof tagsOf(span).get(SPAN_ATTR.watermark) === 'number'),
      `${name}: a watermark on one of ${spans.length} spans`,
    );
  }
  const checkpoints = await poll(service, 'checkpoint', 15_000);
  assert.ok(checkpoints.length > 0, 'a checkpoint span');
  const tags = tagsOf(checkpoints[0]!);
  assert.equal(tags.get(SPAN_ATTR.checkpointOutcome), 'completed');
  assert.equal(typeof tags.get(SPAN_ATTR.checkpointId), 'number');
  assert.ok((tags.get(SPAN_ATTR.checkpointBytes) as number) > 0);
  assert.equal(typeof tags.get(SPAN_ATTR.checkpointDurationMs), 'number');
});

void test('with sample_ratio and checkpoint_sample_ratio 0 no span reaches Jaeger', async () => {
  const silent = await runTraced(0);
  // A traced run after it, flushed the same way, shows the exporter path works while the
  // silent one stays empty.
  const traced = await runTraced(1);
  assert.ok((await poll(traced, 'operator big', 15_000)).length > 0);
  const res = await fetch(`${QUERY}/api/services`);
  const services = ((await res.json()) as { data: string[] }).data;
  assert.ok(services.includes(traced));
  assert.ok(!services.includes(silent), `service ${silent} has spans in Jaeger`);
});
