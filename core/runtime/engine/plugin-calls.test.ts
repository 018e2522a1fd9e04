/**
 * The one wrapper around plugin calls (plugin-calls.ts): failures named by stage and method,
 * errors a caller sorts itself passed through, one metrics record per call with records, and
 * the same span attributes for every stage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ManualClock, SluiceError } from '../../api/index.ts';
import type { StageMetrics } from '../../telemetry/index.ts';
import { PluginCalls } from './plugin-calls.ts';

function fixture(tracing: boolean) {
  const recorded: string[] = [];
  const metrics: StageMetrics = {
    attributes: {},
    recordBatch: (i, o, ms) => recorded.push(`batch ${i} ${o} ${ms}`),
    late: (n) => recorded.push(`late ${n}`),
    deadLettered: (n) => recorded.push(`dead ${n}`),
    retried: (n) => recorded.push(`retried ${n}`),
    endToEnd: (ms) => recorded.push(`e2e ${ms}`),
  };
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const clock = new ManualClock(10_000);
  const stage = { kind: 'operator', id: 'per_user', plugin: 'window_aggregate' } as const;
  const calls = new PluginCalls(stage, 'operator per_user', tracing ? provider.getTracer('t') : undefined, metrics, clock);
  return { calls, recorded, exporter };
}

void test('a throwing call fails as the stage, naming the method; attemptAsync lets the error through', async () => {
  const { calls } = fixture(false);
  assert.equal(calls.call('processBatch', () => 7), 7);
  assert.throws(() => calls.call('processBatch', () => { throw new Error('boom'); }), (e: unknown) => e instanceof SluiceError && e.code === 'E_PLUGIN_FAILED' && /operator 'per_user' \(plugin window_aggregate\) failed in processBatch: boom/.test(e.message));
  await assert.rejects(calls.callAsync('poll', () => Promise.reject(new Error('gone'))), /failed in poll: gone/);
  await assert.rejects(calls.callAsync('poll', () => { throw new Error('sync'); }), /failed in poll: sync/);
  const raw = new Error('transient');
  await assert.rejects(calls.attemptAsync(() => Promise.reject(raw)), (e) => e === raw);
});

void test('one metrics record per call that moved records; counters pass through', () => {
  const { calls, recorded } = fixture(false);
  const facts = { recordsIn: 0, recordsOut: 0, ms: 1, newest: -Infinity, watermark: -Infinity, watermarkLag: undefined };
  calls.finish(undefined, facts);
  calls.finish(undefined, { ...facts, recordsIn: 3, recordsOut: 2 });
  calls.late(1);
  calls.deadLettered(2);
  calls.retried(1);
  assert.deepEqual(recorded, ['batch 3 2 1', 'late 1', 'dead 2', 'retried 1']);
});

void test('every stage\'s span gets the same attributes: records, processing time, event-time lag, watermark and its lag', () => {
  const { calls, exporter } = fixture(true);
  const root = calls.rootSpan();
  assert.ok(root);
  const child = calls.childSpan(root.spanContext());
  assert.ok(child);
  calls.finish(child, { recordsIn: 4, recordsOut: 3, ms: 2, newest: 9_000, watermark: 8_000, watermarkLag: 1_000 }, { 'sluice.retries': 0 });
  calls.endSpan(root, { recordsIn: 4, recordsOut: 4, ms: 1, newest: -Infinity, watermark: -Infinity, watermarkLag: undefined });
  const [ended, first] = exporter.getFinishedSpans();
  assert.equal(ended!.name, 'operator per_user');
  assert.equal(ended!.parentSpanContext?.spanId, root.spanContext().spanId);
  assert.deepEqual(ended!.attributes, {
    'sluice.operator.id': 'per_user', 'sluice.operator.kind': 'window_aggregate', 'sluice.records.in': 4, 'sluice.records.out': 3,
    'sluice.processing_ms': 2, 'sluice.event_time_lag_ms': 1_000, 'sluice.retries': 0, 'sluice.watermark': 8_000, 'sluice.watermark_lag_ms': 1_000,
  });
  assert.equal(first!.attributes['sluice.event_time_lag_ms'], 0, 'no event time, no watermark: no lag');
  assert.equal(first!.attributes['sluice.watermark'], undefined);
});
