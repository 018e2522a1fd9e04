import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { BatchTracer, MergedTraces, isSampled } from './batch-tracer.ts';
import { CHECKPOINT_SPAN, jobSampler } from './sampler.ts';
import { createTelemetry } from './telemetry.ts';

const traceId = (i: number) => i.toString(16).padStart(32, '0');
const sampled = (i: number) => ({ traceId: traceId(i), spanId: (i + 1).toString(16).padStart(16, '0'), traceFlags: 1 });
const unsampled = (i: number) => ({ ...sampled(i), traceFlags: 0 });

void test('roots: checkpoints at their own ratio, batches at theirs; children follow their parent', () => {
  const sampler = jobSampler(0, 1);
  const decide = (name: string, ctx = ROOT_CONTEXT) => sampler.shouldSample(ctx, traceId(7), name, SpanKind.INTERNAL, {}, []).decision;
  assert.equal(decide(CHECKPOINT_SPAN), SamplingDecision.RECORD_AND_SAMPLED);
  assert.equal(decide('source s poll'), SamplingDecision.NOT_RECORD);
  assert.equal(decide('operator x', trace.setSpanContext(ROOT_CONTEXT, sampled(1))), SamplingDecision.RECORD_AND_SAMPLED);
  assert.equal(decide('checkpoint operator x', trace.setSpanContext(ROOT_CONTEXT, unsampled(1))), SamplingDecision.NOT_RECORD);
  const other = jobSampler(1, 0);
  assert.equal(other.shouldSample(ROOT_CONTEXT, traceId(7), CHECKPOINT_SPAN, SpanKind.INTERNAL, {}, []).decision, SamplingDecision.NOT_RECORD);
  assert.equal(other.shouldSample(ROOT_CONTEXT, traceId(7), 'source s poll', SpanKind.INTERNAL, {}, []).decision, SamplingDecision.RECORD_AND_SAMPLED);
});

void test('a child of an unsampled batch is not created; of a sampled one it shares the trace and links the others', async () => {
  const telemetry = createTelemetry({ serviceName: 'unit', exporter: 'memory', sampleRatio: 1 });
  const spans = new BatchTracer(telemetry.tracer);
  assert.equal(spans.child('operator x', unsampled(3)), undefined);
  const root = spans.root('source s poll', [sampled(4), unsampled(5)]);
  const parent = root.spanContext();
  const child = spans.child('operator x', parent, [parent, sampled(6), sampled(6), undefined, unsampled(8)])!;
  child.end();
  root.end();
  const [c, r] = telemetry.spans!.getFinishedSpans();
  assert.equal(c!.spanContext().traceId, parent.traceId);
  assert.equal(c!.parentSpanContext?.spanId, parent.spanId);
  assert.deepEqual(c!.links.map((l) => l.context.spanId), [sampled(6).spanId], 'sampled, distinct, not the parent');
  assert.equal(r!.parentSpanContext, undefined);
  assert.deepEqual(r!.links.map((l) => l.context.spanId), [sampled(4).spanId]);
  await telemetry.shutdown();
});

void test('merged traces: bounded, distinct, a sampled one is the parent', () => {
  const m = new MergedTraces();
  m.add(unsampled(1));
  m.add(unsampled(1));
  for (let i = 2; i < 20; i++) m.add(unsampled(i));
  assert.equal(m.size, 8);
  m.add(sampled(30));
  const { parent, others } = m.take();
  assert.equal(parent!.spanId, sampled(30).spanId);
  assert.ok(isSampled(parent!));
  assert.equal(others.length, 7);
  assert.equal(m.size, 0);
  assert.deepEqual(m.take(), { parent: undefined, others: [] });
});
