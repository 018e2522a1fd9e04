/**
 * Checkpoints and recovery (docs/architecture.md §5): what a checkpoint records, restoring it (state,
 * timers, watermarks, source positions, sink truncation), restarts with back-off, declines
 * on timeout, and `tolerable_failures`.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceChunk } from '../../core/api/index.ts';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { restartDelay, runJob } from '../../core/runtime/engine/index.ts';
import type { EngineOptions, RunningJob } from '../../core/runtime/engine/index.ts';
import { behaviours, collection, compileYaml, resetFixtures, scripts } from './fixtures.ts';
import { tumbleCount } from './test-operators.ts';

beforeEach(resetFixtures);

const PIPELINE = `
name: counts
sources:
  s:
    scripted: { script: s }
    event_time: { field: ts, max_out_of_orderness: 5ms }
operators:
  per_key:
    input: s
    tumble_count: { key: k, size: 10ms }
sinks:
  out:
    input: per_key
    collect: { name: out }
late: { collect: { name: late } }
dead_letter: { collect: { name: dead } }
`;

/** 40 polls of 5 records over 4 keys, a little out of order, some late, one failing record. */
function steps(): SourceChunk[][] {
  const out: SourceChunk[][] = [];
  let ts = 0;
  for (let k = 0; k < 40; k++) {
    const values = [];
    for (let i = 0; i < 5; i++) {
      ts += 1;
      values.push({ k: `k${(k + i) % 4}`, ts: i === 2 ? ts - 3 : ts, n: k * 5 + i });
    }
    if (k % 7 === 3) values.push({ k: 'k0', ts: ts - 30, n: -k }); // late: its window fired
    if (k === 11) values.push({ k: 'k1', ts, fail: true });
    out.push([{ partition: 0, values }]);
  }
  return out;
}

function outputs() {
  return {
    out: collection('out').rows.map((r) => r.value),
    late: collection('late').rows.map((r) => r.value),
    dead: collection('dead').rows.map((r) => r.value),
  };
}

async function uninterrupted() {
  resetFixtures();
  scripts.set('s', { steps: steps() });
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store: null } });
  assert.equal(r.status, 'finished');
  const o = outputs();
  resetFixtures();
  return o;
}

void test('a checkpoint records source positions, sink positions, state chunks and the generation; sources and sinks hear it completed', async () => {
  const store = new MemoryCheckpointStore();
  let job: RunningJob | undefined;
  const done: Promise<boolean>[] = [];
  scripts.set('s', { steps: steps(), beforePoll: (k) => void (k === 10 && done.push(job!.triggerCheckpoint())) });
  const infos: number[] = [];
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), {
    checkpoint: { store, interval: 0 },
    onStart: (j) => (job = j),
    onCheckpoint: (i) => infos.push(i.id),
  });
  assert.equal(await done[0], true);
  assert.equal(r.status, 'finished');
  assert.equal(r.checkpoints.completed, 2, 'the manual one and the final one');
  assert.deepEqual(infos, [1, 2]);
  const first = store.manifests.get(1)!;
  assert.equal(first.sources.s, 11, 'position after poll 10');
  assert.equal(first.generation, 0);
  assert.equal(first.job, 'counts');
  assert.ok(first.chunks.some((c) => c.name.startsWith('state-')));
  assert.ok(first.chunks.some((c) => c.name.startsWith('runtime-')));
  assert.deepEqual(Object.keys(first.sinks).sort(), ['dead_letter', 'late', 'out']);
  assert.equal(typeof first.sinks.out, 'number');
  assert.ok(first.runtime.watermarks);
});

void test('a job killed after a checkpoint restores it and ends with exactly the uninterrupted outputs', async () => {
  const expected = await uninterrupted();
  const store = new MemoryCheckpointStore();
  let job: RunningJob | undefined;
  // The manual checkpoint completes only once this poll returned, so it is triggered without
  // waiting; its state is written while the job runs on, so the crash waits for it to complete.
  let checkpointed: Promise<boolean> | undefined;
  scripts.set('s', {
    steps: steps(),
    beforePoll: async (k) => {
      if (k === 15) checkpointed = job!.triggerCheckpoint();
      if (k === 25) {
        assert.equal(await checkpointed, true);
        throw new Error('crash');
      }
    },
  });
  const options: EngineOptions = { checkpoint: { store, interval: 0 }, restart: { maxAttempts: 0 }, onStart: (j) => (job = j) };
  const failed = await runJob(compileYaml(PIPELINE, [tumbleCount]), options);
  assert.equal(failed.status, 'failed');
  assert.equal(failed.exitCode, 1);
  assert.equal(failed.error?.code, 'E_PLUGIN_FAILED');
  assert.match(failed.error!.message, /source 's' \(plugin scripted\) failed in poll \(test\.yaml:\d+:\d+, sources\.s\): crash/);
  assert.ok(collection('out').rows.length > 0, 'rows were written after the checkpoint, before the crash');
  // A new run (a new process, as after kill -9) over the same store.
  scripts.set('s', { steps: steps() });
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0 } });
  assert.equal(r.status, 'finished');
  assert.deepEqual(r.restoredFrom, { id: 1, store: 'memory' });
  assert.deepEqual(outputs(), expected);
  assert.equal(store.manifests.get(2)!.generation, 1, 'the restore generation grew');
});

void test('a failing job restarts from its last checkpoint with back-off and ends as if uninterrupted', async () => {
  const expected = await uninterrupted();
  const store = new MemoryCheckpointStore();
  let job: RunningJob | undefined;
  let crashed = 0;
  scripts.set('s', {
    steps: steps(),
    beforePoll: (k) => {
      if (k === 8) void job!.triggerCheckpoint();
      if (k === 30 && crashed++ < 2) throw new Error('transient crash');
    },
  });
  const started = performance.now();
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), {
    checkpoint: { store, interval: 0 },
    restart: { maxAttempts: 3, initialBackoff: 40, maxBackoff: 1000 },
    onStart: (j) => (job = j),
  });
  const elapsed = performance.now() - started;
  assert.equal(r.status, 'finished');
  assert.equal(r.restarts, 2);
  assert.ok(elapsed >= 20 + 40, `waited the back-off (≥ 20 + 40 ms with jitter), took ${elapsed}`);
  assert.deepEqual(outputs(), expected);
});

void test('restarts stop after restart.max_attempts and the job fails', async () => {
  scripts.set('s', { steps: steps(), beforePoll: (k) => { if (k === 3) throw new Error('always'); } });
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store: new MemoryCheckpointStore(), interval: 0 }, restart: { maxAttempts: 2, initialBackoff: 1, maxBackoff: 2 } });
  assert.equal(r.status, 'failed');
  assert.equal(r.restarts, 2);
  assert.match(r.error!.message, /always/);
});

void test('restart back-off doubles up to the maximum, with jitter in [half, full]', () => {
  assert.equal(restartDelay(0, 100, 1000, () => 0), 50);
  assert.equal(restartDelay(0, 100, 1000, () => 1), 100);
  assert.equal(restartDelay(3, 100, 1000, () => 1), 800);
  assert.equal(restartDelay(10, 100, 1000, () => 1), 1000);
});

void test('a checkpoint slower than checkpoint.timeout is declined and the job goes on', async () => {
  const store = new MemoryCheckpointStore();
  let job: RunningJob | undefined;
  const results: Promise<boolean>[] = [];
  let slow = true;
  behaviours.set('out', { beforeCheckpoint: () => (slow ? new Promise((r) => setTimeout(r, 200)) : undefined) });
  scripts.set('s', {
    steps: steps(),
    beforePoll: async (k) => {
      if (k === 5) results.push(job!.triggerCheckpoint());
      if (k === 20) {
        // Let the slow barrier of the declined attempt end first: a sink's calls never overlap.
        await new Promise((r) => setTimeout(r, 250));
        slow = false;
        results.push(job!.triggerCheckpoint());
      }
    },
  });
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0, timeout: 50, tolerableFailures: 1 }, onStart: (j) => (job = j) });
  assert.equal(r.status, 'finished');
  assert.deepEqual(await Promise.all(results), [false, true]);
  assert.equal(r.checkpoints.declined, 1);
  assert.equal(r.checkpoints.completed, 2, 'the second manual one and the final one');
  assert.ok(!store.manifests.has(1), 'the declined attempt left no manifest');
});

void test('more consecutive declines than checkpoint.tolerable_failures fail the job', async () => {
  const store = new MemoryCheckpointStore();
  store.beforeWrite = () => Promise.reject(new Error('disk full'));
  scripts.set('s', { steps: steps(), after: 'empty' });
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 20, timeout: 1000, tolerableFailures: 2 }, restart: { maxAttempts: 0 } });
  assert.equal(r.status, 'failed');
  assert.equal(r.error?.code, 'E_CHECKPOINT');
  assert.match(r.error!.message, /3 consecutive checkpoints declined \(checkpoint\.tolerable_failures is 2\).*disk full/);
  assert.equal(r.checkpoints.declined, 3);
});

void test('resetState ignores existing checkpoints', async () => {
  const expected = await uninterrupted();
  const store = new MemoryCheckpointStore();
  scripts.set('s', { steps: steps() });
  await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0 } });
  assert.ok(store.manifests.size > 0);
  resetFixtures();
  scripts.set('s', { steps: steps() });
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0 }, resetState: true });
  assert.equal(r.restoredFrom, undefined);
  assert.deepEqual(outputs(), expected, 'a fresh run from the start');
});

void test('the sources resume before the state is written: a slow write overlaps polling, and restoring it gives the barrier state', async () => {
  const expected = await uninterrupted();
  const store = new MemoryCheckpointStore();
  let job: RunningJob | undefined;
  let polled = 0;
  let polledAtCommit = -1;
  store.beforeWrite = async (what) => {
    if (what === 'commit') polledAtCommit = polled;
    else await new Promise((r) => setTimeout(r, 5));
  };
  let checkpointed: Promise<boolean> | undefined;
  scripts.set('s', {
    steps: steps(),
    beforePoll: async (k) => {
      polled = k;
      if (k === 15) checkpointed = job!.triggerCheckpoint();
      if (k === 25) {
        assert.equal(await checkpointed, true);
        throw new Error('crash');
      }
    },
  });
  const failed = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0 }, restart: { maxAttempts: 0 }, onStart: (j) => (job = j) });
  assert.equal(failed.status, 'failed');
  assert.equal(store.manifests.get(1)!.sources.s, 16, 'the barrier was after poll 15');
  assert.ok(polledAtCommit > 16, `the sources polled on while the chunks were written (poll ${polledAtCommit} at commit)`);
  scripts.set('s', { steps: steps() });
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0 } });
  assert.deepEqual(r.restoredFrom, { id: 1, store: 'memory' });
  assert.deepEqual(outputs(), expected);
});
