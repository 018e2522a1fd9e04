/**
 * A source whose poll resolves at once (the generator) must not starve timers: periodic
 * checkpoints (a `setTimeout` loop) happen while it runs, not after its end. The generator
 * here is unbounded, so the run ends only because the test stops it after the second
 * periodic checkpoint; before the source loop yielded to the event loop, no periodic
 * checkpoint ever came and the run never ended (the test's timeout failed it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import type { CheckpointInfo, RunningJob } from '../../core/runtime/engine/index.ts';
import { filterPlugin } from '../../plugins/operator-filter/index.ts';
import { generatorPlugin } from '../../plugins/source-generator/index.ts';
import { nullSinkPlugin } from '../../plugins/sink-null/index.ts';
import { compileYaml } from './fixtures.ts';

void test('periodic checkpoints and a stop signal get through while a generator runs flat out', { timeout: 60_000 }, async () => {
  const pipeline = compileYaml(
    `
name: busy
sources:
  gen:
    generator:
      fields: { n: { int: [1, 100] }, ts: { sequence: { start: 0, step: 1 } } }
    event_time: { field: ts, max_out_of_orderness: 0s }
operators:
  keep:
    input: gen
    filter: { where: "n > 10" }
sinks:
  out:
    input: keep
    "null": {}
`,
    [generatorPlugin, filterPlugin, nullSinkPlugin],
  );
  const abort = new AbortController();
  const periodic: { info: CheckpointInfo; recordsIn: number }[] = [];
  let job: RunningJob | undefined;
  const r = await runJob(pipeline, {
    signal: abort.signal,
    checkpoint: { store: new MemoryCheckpointStore(), interval: 200 },
    onStart: (j) => (job = j),
    onCheckpoint: (info) => {
      if (info.kind !== 'periodic') return;
      periodic.push({ info, recordsIn: job!.stageCounts()['gen']!.in });
      if (periodic.length === 2) abort.abort();
    },
  });
  assert.equal(r.status, 'stopped');
  assert.equal(periodic.length, 2);
  assert.ok(periodic[0]!.recordsIn > 0, 'records flowed before the first periodic checkpoint');
  assert.ok(periodic[1]!.recordsIn > periodic[0]!.recordsIn, 'and between the two');
  assert.ok(r.recordsIn > periodic[1]!.recordsIn - 1);
});
