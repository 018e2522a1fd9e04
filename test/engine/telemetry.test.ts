/**
 * Telemetry (docs/architecture.md §6): with the in-memory span exporter, one span per operator per
 * batch with the operator's id, kind, records in and out, processing time, event-time lag
 * and watermark; a checkpoint span; the per-operator counters and the gauges.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { definePlugin, field, ManualClock } from '../../core/api/index.ts';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import type { RunningJob } from '../../core/runtime/engine/index.ts';
import { createTelemetry } from '../../core/telemetry/index.ts';
import { filterPlugin } from '../../plugins/operator-filter/index.ts';
import { compileYaml, resetFixtures, scripts } from './fixtures.ts';
import { lateMarker } from './test-operators.ts';

beforeEach(resetFixtures);

/** An operator that adds an attribute to the runtime's span (what plugins may do). */
const tagger = definePlugin({
  kind: 'operator',
  name: 'tagger',
  summary: 'Test operator: tags the active span.',
  spec: field.object({}),
  inputs: { min: 1, max: 1 },
  keyed: false,
  plan: (_c, [input]) => ({ output: input! }),
  create: () => ({
    processBatch(batch, _i, ctx) {
      trace.getActiveSpan()?.setAttribute('tagger.seen', batch.length);
      for (let i = 0; i < batch.length; i++) ctx.emit(batch.values[i]!, batch.times[i]!);
    },
  }),
});

const BATCHES = 6;

void test('one span per operator per batch, with the engine attributes', async () => {
  const telemetry = createTelemetry({ serviceName: 'traced', exporter: 'memory' });
  const steps = Array.from({ length: BATCHES }, (_, k) => [{ partition: 0, values: Array.from({ length: 10 }, (_, i) => ({ n: k * 10 + i, ts: 1000 + k * 10 + i })) }]);
  scripts.set('s', { steps });
  let job: RunningJob | undefined;
  const pipeline = compileYaml(
    `
name: traced
sources:
  s:
    scripted: { script: s }
    event_time: { field: ts, max_out_of_orderness: 0s }
operators:
  keep:
    input: s
    filter: { where: "n % 2 == 0" }
  tag:
    input: keep
    tagger: {}
  judge:
    input: tag
    late_marker: {}
sinks:
  out:
    input: judge
    collect: { name: out }
`,
    [filterPlugin, tagger, lateMarker],
  );
  const clock = new ManualClock(5000);
  const store = new MemoryCheckpointStore();
  const r = await runJob(pipeline, { telemetry, clock, logicalClockStep: 0, checkpoint: { store, interval: 0 }, onStart: (j) => (job = j) });
  assert.equal(r.status, 'finished');
  assert.ok(job);
  const spans = telemetry.spans!.getFinishedSpans();
  for (const [id, kind] of [['keep', 'filter'], ['tag', 'tagger'], ['judge', 'late_marker']] as const) {
    const mine = spans.filter((s) => s.name === `operator ${id}`);
    assert.equal(mine.length, BATCHES, `${id}: one span per batch`);
    mine.forEach((span, k) => {
      const a = span.attributes;
      assert.equal(a['sluice.operator.id'], id);
      assert.equal(a['sluice.operator.kind'], kind);
      assert.equal(a['sluice.records.in'], id === 'keep' ? 10 : 5);
      assert.equal(a['sluice.records.out'], 5);
      assert.equal(typeof a['sluice.processing_ms'], 'number');
      assert.equal(a['sluice.event_time_lag_ms'], 5000 - (1000 + k * 10 + (id === 'keep' ? 9 : 8)));
      assert.equal(a['sluice.watermark'], 1000 + k * 10 + 9 - 1);
    });
    if (id === 'tag') assert.ok(mine.every((s) => s.attributes['tagger.seen'] === 5), 'a plugin added its attribute to the runtime span');
  }
  const checkpointSpans = spans.filter((s) => s.name === 'checkpoint');
  assert.equal(checkpointSpans.length, 1);
  assert.equal(checkpointSpans[0]!.attributes['sluice.checkpoint.outcome'], 'completed');
  assert.ok((checkpointSpans[0]!.attributes['sluice.checkpoint.bytes'] as number) > 0);
  assert.equal(spans.filter((s) => s.name === 'source s poll').length, BATCHES);
  assert.equal(spans.filter((s) => s.name === 'sink out write').length, BATCHES);
  assert.equal(spans[0]!.resource.attributes['service.name'], 'traced');

  const { resourceMetrics } = await telemetry.collectMetrics();
  const metrics = new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
  const sum = (name: string, operator: string) =>
    (metrics.get(name)?.dataPoints as { attributes: Record<string, unknown>; value: unknown }[] | undefined)?.find((d) => d.attributes.operator === operator)?.value;
  assert.equal(sum('sluice_records_in', 'keep'), 60);
  assert.equal(sum('sluice_records_out', 'keep'), 30);
  assert.equal(sum('sluice_records_in', 'out'), 30);
  assert.ok(metrics.has('sluice_processing_latency_ms'));
  assert.ok(metrics.has('sluice_queue_depth'));
  await telemetry.shutdown();
});

void test('with exporter none no span is created and the job runs the same', async () => {
  const telemetry = createTelemetry({ serviceName: 'quiet' });
  assert.equal(telemetry.tracing, false);
  scripts.set('s', { steps: [[{ partition: 0, values: [{ n: 2, ts: 1 }] }]] });
  const pipeline = compileYaml(
    `
name: quiet
sources:
  s:
    scripted: { script: s }
    event_time: { field: ts, max_out_of_orderness: 0s }
operators:
  keep:
    input: s
    filter: { where: "n > 0" }
sinks:
  out:
    input: keep
    collect: { name: out }
`,
    [filterPlugin],
  );
  const r = await runJob(pipeline, { telemetry, checkpoint: { store: null } });
  assert.equal(r.stages.keep!.out, 1);
  assert.equal(telemetry.spans, undefined);
});
