/**
 * Back-pressure (docs/architecture.md §3): with a deliberately slow sink and a source that has far
 * more input waiting, queue depths stay within their capacity and the records admitted
 * but not yet written stay within what the queues can hold — measured from the job's
 * depths and counters at every write, not from the clock.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { runJob } from '../../core/runtime/engine/index.ts';
import type { RunningJob } from '../../core/runtime/engine/index.ts';
import { generatorPlugin } from '../../plugins/source-generator/index.ts';
import { filterPlugin } from '../../plugins/operator-filter/index.ts';
import { behaviours, collection, compileYaml, resetFixtures } from './fixtures.ts';

beforeEach(resetFixtures);

const BATCH = 100;
const CAPACITY = 4;
const WRITES = 150;

void test('a slow sink bounds queue depths and in-flight records while the source has millions waiting', async () => {
  const pipeline = compileYaml(
    `
name: slow
sources:
  gen:
    generator: { seed: 7, count: 5000000, fields: { n: { sequence: { start: 0 } }, ts: { sequence: { start: 0 } } } }
    event_time: { field: ts, max_out_of_orderness: 0s }
operators:
  keep:
    input: gen
    filter: { where: "n >= 0" }
sinks:
  out:
    input: keep
    collect: { name: out }
`,
    [generatorPlugin, filterPlugin],
  );
  let job: RunningJob | undefined;
  const stop = new AbortController();
  const samples: { inFlight: number; depths: Record<string, number>; heap: number }[] = [];
  behaviours.set('out', {
    beforeWrite: async (_batch, n) => {
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 1));
      const counts = job!.stageCounts();
      samples.push({ inFlight: counts.gen!.in - collection('out').rows.length, depths: job!.queueDepths(), heap: process.memoryUsage().heapUsed });
      if (n === WRITES) stop.abort();
    },
  });
  const result = await runJob(pipeline, { batchSize: BATCH, queueCapacity: CAPACITY, signal: stop.signal, checkpoint: { store: null }, onStart: (j) => (job = j) });
  assert.equal(result.status, 'stopped');
  assert.ok(samples.length > WRITES);
  // Two edges (gen→keep, keep→out) of CAPACITY batches, plus one batch in each stage (polled, filtered, being written).
  const bound = (2 * CAPACITY + 3) * BATCH;
  const worst = Math.max(...samples.map((s) => s.inFlight));
  assert.ok(worst <= bound, `in-flight records ${worst} ≤ ${bound}`);
  for (const [edge, peak] of Object.entries(job!.peakQueueDepths())) assert.ok(peak <= CAPACITY, `${edge}: peak ${peak} ≤ ${CAPACITY}`);
  const depths = samples.map((s) => s.depths['keep -> out']!);
  assert.ok(Math.max(...depths) === CAPACITY, 'the sink edge was full: the sink was the bottleneck');
  assert.ok(result.recordsIn < 5000000 / 100, `the source admitted only ${result.recordsIn} of its 5M records`);
  // Memory: the heap after many writes is not growing with the writes (the rows the test keeps aside).
  const early = samples[20]!.heap;
  const late = samples[WRITES]!.heap;
  assert.ok(late - early < 64 * 1024 * 1024, `heap grew ${(late - early) / 1e6} MB`);
});
