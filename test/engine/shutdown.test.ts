/**
 * Graceful shutdown (SIGINT/SIGTERM through the AbortSignal) and `maxEvents`: sources stop,
 * the graph drains, a checkpoint is taken before the flush (so a restart resumes exactly
 * there), then what end of input fires fires, sinks get it, plugins close, status
 * `stopped`, exit code 0.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceChunk } from '../../core/api/index.ts';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import { generatorPlugin } from '../../plugins/source-generator/index.ts';
import { collection, compileYaml, resetFixtures, scripts } from './fixtures.ts';
import { tumbleCount } from './test-operators.ts';

beforeEach(resetFixtures);

const PIPELINE = `
name: stop
sources:
  s:
    scripted: { script: s }
    event_time: { field: ts, max_out_of_orderness: 0s }
operators:
  per_key:
    input: s
    tumble_count: { key: k, size: 10ms }
sinks:
  out:
    input: per_key
    collect: { name: out }
`;

const steps = (n: number): SourceChunk[][] => Array.from({ length: n }, (_, k) => [{ partition: 0, values: [{ k: 'a', ts: k * 3 }, { k: 'b', ts: k * 3 + 1 }] }]);

const rows = () => collection('out').rows.map((r) => r.value);

void test('a stop signal drains, checkpoints before the flush, fires the open windows and exits 0; a restart resumes exactly', async () => {
  resetFixtures();
  scripts.set('s', { steps: steps(30) });
  await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store: null } });
  const expected = rows();
  resetFixtures();

  const stop = new AbortController();
  const store = new MemoryCheckpointStore();
  scripts.set('s', { steps: steps(12), after: 'empty', beforePoll: (k) => void (k === 12 && stop.abort()) });
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { signal: stop.signal, checkpoint: { store, interval: 0 } });
  assert.equal(r.status, 'stopped');
  assert.equal(r.exitCode, 0);
  const flushed = rows();
  // 12 polls: ts 0..34; windows [0,10) [10,20) [20,30) [30,40) for a and b all fired by the +∞ flush.
  assert.equal(flushed.reduce((n, v) => n + (v.count as number), 0), 24, 'every admitted record is in a fired window');
  assert.ok(flushed.some((v) => v.window_end === 40), 'the open window fired at shutdown');
  const manifest = (await store.latest())!;
  assert.equal(manifest.runtime.kind, 'shutdown');
  assert.equal(manifest.sources.s, 12);
  assert.ok((manifest.sinks.out as number) < flushed.length, 'the checkpoint was taken before the flush');

  scripts.set('s', { steps: steps(30) });
  const again = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0 } });
  assert.equal(again.status, 'finished');
  assert.deepEqual(rows(), expected, 'the restart truncated the flushed windows and resumed at poll 12');
});

void test('an already aborted signal stops before the first poll', async () => {
  scripts.set('s', { steps: steps(5) });
  const stop = new AbortController();
  stop.abort();
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { signal: stop.signal, checkpoint: { store: null } });
  assert.equal(r.status, 'stopped');
  assert.equal(r.recordsIn, 0);
});

void test('maxEvents stops after exactly that many source records and finishes as at end of input', async () => {
  const pipeline = compileYaml(
    `
name: capped
sources:
  gen:
    generator: { seed: 1, fields: { k: { one_of: [a, b, c] }, ts: { sequence: { start: 0 } } } }
    event_time: { field: ts, max_out_of_orderness: 0s }
operators:
  per_key:
    input: gen
    tumble_count: { key: k, size: 100ms }
sinks:
  out:
    input: per_key
    collect: { name: out }
`,
    [generatorPlugin, tumbleCount],
  );
  const r = await runJob(pipeline, { maxEvents: 2500, batchSize: 1000, checkpoint: { store: null } });
  assert.equal(r.status, 'stopped');
  assert.equal(r.recordsIn, 2500);
  assert.equal(rows().reduce((n, v) => n + (v.count as number), 0), 2500, 'every window flushed');
});
