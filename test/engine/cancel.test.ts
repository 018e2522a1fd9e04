/**
 * `JobHandle.cancel`: the job stops at once — no final checkpoint, no end-of-input flush, no
 * restart — with status `stopped`; its last completed checkpoint is what a successor (the
 * next owner of a task) restores, and that successor's results are those of an
 * uninterrupted run.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SourceChunk } from '../../core/api/index.ts';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { runJob, startJob } from '../../core/runtime/engine/index.ts';
import { collection, compileYaml, resetFixtures, scripts } from './fixtures.ts';
import { tumbleCount } from './test-operators.ts';

beforeEach(resetFixtures);

const PIPELINE = `
name: cancel
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
const rows = () => collection('out').rows.map((r) => JSON.stringify(r.value)).sort();

void test('cancel stops without checkpoint or flush and is not restarted; a successor restores the last checkpoint and ends as an uninterrupted run', async () => {
  scripts.set('s', { steps: steps(40) });
  await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store: null } });
  const uninterrupted = rows();
  resetFixtures();
  // What the first 20 steps give when end of input flushes them.
  scripts.set('s', { steps: steps(20) });
  await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store: null } });
  const flushed = rows();
  resetFixtures();

  const store = new MemoryCheckpointStore();
  // The first owner has read 20 steps and waits for more (nothing ready), mid-stream.
  let polls = 0;
  scripts.set('s', { steps: steps(20), after: 'empty', beforePoll: () => void polls++ });
  const handle = startJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0 }, restart: { maxAttempts: 3, initialBackoff: 1, maxBackoff: 1 } });
  while (polls < 22) await sleep(5);
  assert.equal(await handle.current()!.triggerCheckpoint(), true);
  const checkpointed = (await store.latest())!.id;
  handle.cancel('moved');
  const result = await handle.result;
  assert.equal(result.status, 'stopped');
  assert.equal(result.restarts, 0);
  assert.equal((await store.latest())!.id, checkpointed, 'no checkpoint after the cancel');
  // Nothing fired by an end-of-input flush: the last window of what was read is still open.
  const before = rows();
  assert.ok(before.length < flushed.length, `${before.length} rows before the cancel, ${flushed.length} when a flush fires the open windows`);

  // The successor: same store, the rest of the stream.
  collection('out').rows.length = 0;
  scripts.set('s', { steps: steps(40) });
  const successor = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0 } });
  assert.equal(successor.status, 'finished');
  assert.equal(successor.restoredFrom?.id, checkpointed);
  assert.deepEqual([...new Set([...before, ...rows()])].sort(), uninterrupted);
});

void test('a job cancelled while it starts opens no plugin: it neither restores over nor writes next to the next owner', async () => {
  let polls = 0;
  scripts.set('s', { steps: steps(5), beforePoll: () => void polls++ });
  const handle = startJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store: new MemoryCheckpointStore(), interval: 0 } });
  handle.cancel('moved at once');
  const result = await handle.result;
  assert.equal(result.status, 'stopped');
  assert.equal(polls, 0, 'the source never polled');
  assert.deepEqual(collection('out').opened, [], 'the sink was never opened');
});
