/**
 * Two instances of one task writing one checkpoint store at once (a hand-off: the old owner's
 * last checkpoint and the new owner's first, docs/architecture.md §5). Both may start in the
 * same block of ids when neither has committed yet; the first commit of an id wins, the
 * other instance's attempt is declined without touching it, and its next ids come from the
 * next block, so its later checkpoints complete and the first one stays restorable.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { readCheckpoint } from '../../core/runtime/checkpoint/snapshot-io.ts';
import { MemoryStateBackend } from '../../core/runtime/state/index.ts';
import { OWNER_ID_BLOCK } from '../../core/runtime/engine/checkpointer.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import type { JobResult, RunningJob } from '../../core/runtime/engine/index.ts';
import { stageTask } from '../../core/runtime/scale/stages.ts';
import { compileYaml, resetFixtures, scripts } from './fixtures.ts';
import { tumbleCount } from './test-operators.ts';

beforeEach(resetFixtures);

const pipeline = (script: string) => `
name: counts
sources:
  s:
    scripted: { script: ${script} }
    event_time: { field: ts, max_out_of_orderness: 5ms }
operators:
  per_key:
    input: s
    tumble_count: { key: k, size: 10ms }
sinks:
  out:
    input: per_key
    collect: { name: out }
`;

function steps(): { partition: number; values: { k: string; ts: number }[] }[][] {
  return Array.from({ length: 20 }, (_, i) => [{ partition: 0, values: [{ k: `k${i % 3}`, ts: i }] }]);
}

/** One instance of task 0 of 1: runs until aborted, checkpointing when told. */
function instance(script: string, store: MemoryCheckpointStore): { job: Promise<RunningJob>; result: Promise<JobResult>; stop: AbortController } {
  scripts.set(script, { steps: steps(), after: 'empty' });
  const stop = new AbortController();
  let started!: (j: RunningJob) => void;
  const job = new Promise<RunningJob>((resolve) => (started = resolve));
  const result = runJob(compileYaml(pipeline(script), [tumbleCount]), {
    checkpoint: { store, interval: 0, tolerableFailures: 5 },
    task: stageTask('', 0, 1),
    signal: stop.signal,
    onStart: started,
  });
  return { job, result, stop };
}

void test('two instances of a task that start in one id block: the first commit of an id stays whole, the other moves to the next block', async () => {
  const store = new MemoryCheckpointStore();
  const old = instance('old', store);
  const fresh = instance('fresh', store);
  const [a, b] = await Promise.all([old.job, fresh.job]);

  assert.equal(await a.triggerCheckpoint(), true, 'the old owner\'s hand-off checkpoint completes');
  const handoff = await store.latest();
  assert.equal(handoff?.id, OWNER_ID_BLOCK + 1);

  // The new instance took the same first id before the hand-off was committed: declined.
  assert.equal(await b.triggerCheckpoint(), false);
  // Its clean-up settles in the background: give it the time to do damage, if it would.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const kept = await store.read(OWNER_ID_BLOCK + 1);
  assert.deepEqual(kept, handoff, 'the hand-off checkpoint is still there, unchanged');
  await readCheckpoint(store, kept!, new MemoryStateBackend());

  // Its next checkpoint is in the next block, and completes.
  assert.equal(await b.triggerCheckpoint(), true);
  assert.equal((await store.latest())?.id, 2 * OWNER_ID_BLOCK + 1);

  old.stop.abort();
  fresh.stop.abort();
  await Promise.all([old.result, fresh.result]);
});
