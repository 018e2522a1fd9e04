/**
 * A watermark that fires many timers (here one closing 12,000 windows mid-stream, and the
 * end of input 12,000 more) hands their output on a slice at a time (`FIRING_SLICE` records, operator-task.ts), with
 * back-pressure between the slices, instead of one item holding every row: the sink gets
 * slice-sized writes, the rows are the same, and a periodic unaligned checkpoint that
 * freezes the stages in the middle of a firing does not wait on it forever.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import { FIRING_SLICE } from '../../core/runtime/engine/operator-task.ts';
import { generatorPlugin } from '../../plugins/source-generator/index.ts';
import { windowAggregatePlugin } from '../../plugins/operator-window-aggregate/index.ts';
import { behaviours, collection, compileYaml, resetFixtures } from './fixtures.ts';

beforeEach(resetFixtures);

/** Events, each its own key: 300 ms apart, 12,000 in each of two hours. */
const EVENTS = 24_000;

const pipeline = () =>
  compileYaml(
    `
name: many_windows
sources:
  gen:
    generator: { seed: 1, count: ${EVENTS}, fields: { k: { sequence: { start: 0 } }, ts: { sequence: { start: 0, step: 300 } } } }
    event_time: { field: ts, max_out_of_orderness: 0s }
operators:
  per_key:
    input: gen
    window_aggregate: { key: k, window: { tumbling: 1h }, aggregates: { n: count } }
sinks:
  out:
    input: per_key
    collect: { name: out }
`,
    [generatorPlugin, windowAggregatePlugin],
  );

function checkRows(): void {
  const rows = collection('out').rows;
  assert.equal(rows.length, EVENTS);
  assert.equal(new Set(rows.map((r) => r.value.k)).size, EVENTS);
  assert.ok(rows.every((r) => r.value.n === 1 && r.kind === 'insert'));
}

void test('the windows one watermark fires reach the sink in slice-sized writes, every one of them', async () => {
  const writes: number[] = [];
  behaviours.set('out', {
    beforeWrite: async (batch) => {
      writes.push(batch.length);
      await new Promise((r) => setImmediate(r));
    },
  });
  const result = await runJob(pipeline(), { batchSize: 1000, queueCapacity: 2, checkpoint: { store: null } });
  assert.equal(result.status, 'finished');
  checkRows();
  // Timers are fired 64 at a time between two looks at the slice's size (operator-host.ts).
  assert.ok(Math.max(...writes) < FIRING_SLICE + 64, `writes of ${writes.join(', ')} rows`);
  assert.ok(writes.length >= 2 * Math.ceil(EVENTS / 2 / (FIRING_SLICE + 64)), `writes of ${writes.join(', ')} rows`);
});

void test('an unaligned checkpoint that freezes the stages in the middle of a firing completes, and the job with it', { timeout: 30_000 }, async () => {
  const store = new MemoryCheckpointStore();
  let slowWrites = 0;
  behaviours.set('out', {
    // Slow enough that periodic checkpoints start while the windows are still firing.
    beforeWrite: async () => {
      slowWrites++;
      await new Promise((r) => setTimeout(r, 30));
    },
  });
  const result = await runJob(pipeline(), { batchSize: 1000, queueCapacity: 1, checkpoint: { store, interval: 1, unaligned: true } });
  assert.equal(result.status, 'finished');
  checkRows();
  assert.ok(slowWrites >= 3);
  assert.ok(store.manifests.size >= 2, `${store.manifests.size} checkpoints`);
});
