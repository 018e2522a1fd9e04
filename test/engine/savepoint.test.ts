/**
 * Savepoints in the engine: a savepoint taken while the job runs records its id, the
 * pipeline's hash and the operators' state descriptors, survives prune, and a run started
 * from it ends with the uninterrupted outputs; a savepoint that does not fit the pipeline is
 * refused (operator removed, state kind changed, operator type changed), and state of a
 * removed operator is dropped with `allowDroppedState`.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { state } from '../../core/api/index.ts';
import type { Logger, SourceChunk } from '../../core/api/index.ts';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import type { EngineOptions, RunningJob, SavepointTaken } from '../../core/runtime/engine/index.ts';
import { MemoryStateBackend } from '../../core/runtime/state/index.ts';
import { collection, compileYaml, resetFixtures, scripts } from './fixtures.ts';
import { lateMarker, runningSum, tumbleCount } from './test-operators.ts';

beforeEach(resetFixtures);

const pipeline = (op = 'per_key:\n    input: s\n    tumble_count: { key: k, size: 10ms }', sinkInput = 'per_key', late = 'late') => `
name: counts
sources:
  s:
    scripted: { script: s }
    event_time: { field: ts, max_out_of_orderness: 5ms }
operators:
  ${op}
sinks:
  out:
    input: ${sinkInput}
    collect: { name: out }
late: { collect: { name: ${late} } }
dead_letter: { collect: { name: dead } }
`;
const PIPELINE = pipeline();
const WITHOUT_PER_KEY = pipeline('pass:\n    input: s\n    late_marker: {}', 'pass');

function steps(): SourceChunk[][] {
  const out: SourceChunk[][] = [];
  let ts = 0;
  for (let k = 0; k < 40; k++) {
    const values = [];
    for (let i = 0; i < 5; i++) values.push({ k: `k${(k + i) % 4}`, ts: ++ts, n: k * 5 + i });
    out.push([{ partition: 0, values }]);
  }
  return out;
}

const rows = (name: string) => collection(name).rows.map((r) => r.value);

function recorder(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger: Logger = { debug() {}, info: (m) => void lines.push(m), warn: (m) => void lines.push(`WARN ${m}`), error: (m) => void lines.push(`ERROR ${m}`), child: () => logger };
  return { logger, lines };
}

/** Runs the pipeline to its end, taking a savepoint before poll 15; returns the savepoint. */
async function runWithSavepoint(store: MemoryCheckpointStore): Promise<SavepointTaken> {
  let job: RunningJob | undefined;
  let taken: Promise<SavepointTaken> | undefined;
  scripts.set('s', { steps: steps(), beforePoll: (k) => void (k === 15 && (taken = job!.triggerSavepoint())) });
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0, retain: 1 }, onStart: (j) => (job = j) });
  assert.equal(r.status, 'finished');
  return taken!;
}

void test('a savepoint records its id, the pipeline hash and state descriptors; prune keeps it; restoring it ends as if uninterrupted', async () => {
  scripts.set('s', { steps: steps() });
  await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store: null } });
  const expected = rows('out');
  resetFixtures();

  const store = new MemoryCheckpointStore();
  const sp = await runWithSavepoint(store);
  assert.match(sp.id, /^sp-\d{8}-\d{6}-[0-9a-f]{4}$/);
  assert.deepEqual(rows('out'), expected);
  const manifest = store.manifests.get(sp.checkpoint)!;
  assert.deepEqual(manifest.savepoint, { id: sp.id });
  assert.equal(manifest.runtime.kind, 'savepoint');
  assert.match(manifest.pipeline!.hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(manifest.pipeline!.operators, { per_key: { type: 'tumble_count', state: { counts: 'map' } } });
  assert.deepEqual([...store.manifests.keys()].sort(), [sp.checkpoint, sp.checkpoint + 1], 'retain 1: the final checkpoint and the savepoint');

  // A new run from the savepoint, with a harmless change (the late output's name): the hash differs, a warning only.
  scripts.set('s', { steps: steps() });
  const { logger, lines } = recorder();
  const backend = new MemoryStateBackend();
  let restoredKeys = -1;
  const options: EngineOptions = { checkpoint: { store, interval: 0 }, fromSavepoint: sp.id, logger, stateBackend: backend, onStart: () => (restoredKeys = backend.table('per_key', 'counts').size) };
  const r = await runJob(compileYaml(pipeline(undefined, undefined, 'late_v2'), [tumbleCount]), options);
  assert.equal(r.status, 'finished');
  assert.deepEqual(r.restoredFrom, { id: sp.checkpoint, store: 'memory' });
  assert.ok(restoredKeys > 0, 'the savepoint held open windows');
  assert.deepEqual(rows('out'), expected);
  assert.ok(lines.some((l) => /^WARN savepoint sp-\S+ was taken of a different pipeline definition/.test(l)), lines.join('\n'));
  assert.ok(store.manifests.get(sp.checkpoint), 'the savepoint is still there');
});

void test('a restart of a run from a savepoint uses the run\'s own newer checkpoint', async () => {
  const store = new MemoryCheckpointStore();
  const sp = await runWithSavepoint(store);
  const latestBefore = (await store.latest())!.id;
  let job: RunningJob | undefined;
  let checkpointed: Promise<boolean> | undefined;
  let crashed = false;
  scripts.set('s', {
    steps: steps(),
    beforePoll: async (k) => {
      if (k === 20 && !crashed) checkpointed = job!.triggerCheckpoint();
      if (k === 30 && !crashed) {
        assert.equal(await checkpointed, true);
        crashed = true;
        throw new Error('crash');
      }
    },
  });
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), {
    checkpoint: { store, interval: 0 }, fromSavepoint: sp.id, restart: { maxAttempts: 1, initialBackoff: 1 }, onStart: (j) => (job = j),
  });
  assert.equal(r.status, 'finished');
  assert.equal(r.restarts, 1);
  assert.equal(r.restoredFrom!.id, latestBefore + 1, 'the restart restored the checkpoint the run took, not the savepoint');
});

void test('removing a stateful operator is refused; --allow-dropped-state drops its state and logs it', async () => {
  const store = new MemoryCheckpointStore();
  const sp = await runWithSavepoint(store);
  resetFixtures();
  scripts.set('s', { steps: steps() });
  await assert.rejects(runJob(compileYaml(WITHOUT_PER_KEY, [lateMarker]), { checkpoint: { store, interval: 0 }, fromSavepoint: sp.id }), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'E_SAVEPOINT_MISMATCH');
    assert.match(e.message, /holds state of 'per_key', which the pipeline no longer has .*--allow-dropped-state/);
    return true;
  });
  const { logger, lines } = recorder();
  const backend = new MemoryStateBackend();
  let left = -1;
  const r = await runJob(compileYaml(WITHOUT_PER_KEY, [lateMarker]), {
    checkpoint: { store, interval: 0 }, fromSavepoint: sp.id, allowDroppedState: true, logger, stateBackend: backend, onStart: () => (left = backend.table('per_key', 'counts').size),
  });
  assert.equal(r.status, 'finished');
  assert.equal(left, 0, 'the dropped state is gone from the backend');
  assert.ok(lines.some((l) => l === `WARN savepoint ${sp.id}: dropping the state of removed operator 'per_key' (counts)`), lines.join('\n'));
  assert.equal(rows('out').length, 200 - 16 * 5, 'late_marker passes what followed the savepoint (taken after poll 15)');
});

void test('a state whose kind changed, or an operator whose type changed, is refused even with --allow-dropped-state', async () => {
  const store = new MemoryCheckpointStore();
  const sp = await runWithSavepoint(store);
  const asList = { ...tumbleCount, state: () => ({ counts: state.list<number>() }) };
  scripts.set('s', { steps: steps() });
  const options: EngineOptions = { checkpoint: { store, interval: 0 }, fromSavepoint: sp.id, allowDroppedState: true };
  await assert.rejects(runJob(compileYaml(PIPELINE, [asList]), options), {
    code: 'E_SAVEPOINT_MISMATCH',
    message: new RegExp(`savepoint ${sp.id} does not fit the pipeline: state 'counts' of operator 'per_key' \\(tumble_count\\) was a map state and is a list state now`),
  });
  const retyped = pipeline('per_key:\n    input: s\n    running_sum: { key: k }');
  await assert.rejects(runJob(compileYaml(retyped, [runningSum]), options), { code: 'E_SAVEPOINT_MISMATCH', message: /operator 'per_key' was a tumble_count and is a running_sum now/ });
  await assert.rejects(runJob(compileYaml(PIPELINE, [tumbleCount]), { ...options, fromSavepoint: 'sp-nope' }), { code: 'E_SAVEPOINT', message: /no savepoint 'sp-nope' in memory/ });
});
