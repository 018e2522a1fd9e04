import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCheckpointStore } from '../runtime/checkpoint/memory-store.ts';
import { runJob } from '../runtime/engine/index.ts';
import type { RunningJob } from '../runtime/engine/index.ts';
import { stageTask } from '../runtime/scale/stages.ts';
import { compileYaml, resetFixtures, scripts } from '../../test/engine/fixtures.ts';
import { SPAN_ATTR } from './span-attributes.ts';
import { taskTelemetry } from './task-spans.ts';
import { createTelemetry } from './telemetry.ts';

void test('every span of a task\'s engine instance — batches and checkpoints — carries the task; the rest of the telemetry is the process\'s', async () => {
  resetFixtures();
  const process = createTelemetry({ serviceName: 'tasks', exporter: 'memory' });
  const telemetry = taskTelemetry(process, 'by_page.task-2');
  assert.equal(telemetry.meter, process.meter);
  assert.equal(telemetry.spans, process.spans);
  scripts.set('s', { steps: Array.from({ length: 4 }, (_, k) => [{ partition: 0, values: [{ n: k, ts: 1000 + k }] }]) });
  const pipeline = compileYaml(`
name: tagged
sources:
  s:
    scripted: { script: s }
    event_time: { field: ts, max_out_of_orderness: 0s }
sinks:
  out:
    input: s
    collect: { name: out }
`, []);
  let job: RunningJob | undefined;
  const r = await runJob(pipeline, { telemetry, task: stageTask('by_page', 2, 4), checkpoint: { store: new MemoryCheckpointStore(), interval: 0 }, onStart: (j) => (job = j) });
  assert.equal(r.status, 'finished');
  assert.ok(job);
  const spans = process.spans!.getFinishedSpans();
  assert.ok(spans.some((s) => s.name.startsWith('source s')), spans.map((s) => s.name).join(', '));
  assert.ok(spans.some((s) => s.name.startsWith('checkpoint')), spans.map((s) => s.name).join(', '));
  for (const s of spans) assert.equal(s.attributes[SPAN_ATTR.task], 'by_page.task-2', s.name);
  await process.shutdown();
});
