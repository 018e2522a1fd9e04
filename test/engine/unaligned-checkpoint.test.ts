/**
 * Unaligned checkpoints (docs/architecture.md §5, "Checkpoints"; engine/in-flight.ts): the
 * barrier does not wait for the queues to drain; their items go into the checkpoint, and a
 * restore hands them on before the sources resume, so the outputs equal an uninterrupted run.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckpointManifest, SourceChunk } from '../../core/api/index.ts';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { readCheckpoint } from '../../core/runtime/checkpoint/snapshot-io.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import type { RunningJob } from '../../core/runtime/engine/index.ts';
import { inFlightItems, inFlightOf } from '../../core/runtime/engine/in-flight.ts';
import { MemoryStateBackend } from '../../core/runtime/state/memory-backend.ts';
import { behaviours, collection, compileYaml, resetFixtures, scripts } from './fixtures.ts';
import { tumbleCount } from './test-operators.ts';

beforeEach(resetFixtures);

/** The source feeds a keyed count and, directly, a slow sink: the queue to that sink fills. */
const PIPELINE = `
name: unaligned
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
  raw:
    input: s
    collect: { name: raw }
late: { collect: { name: late } }
dead_letter: { collect: { name: dead } }
`;

const WITHOUT_RAW = PIPELINE.replace(/ {2}raw:\n {4}input: s\n {4}collect: \{ name: raw \}\n/, '');

const POLLS = 40;
const PER_POLL = 5;

/** 40 polls of 5 records over 4 keys, a little out of order, some late, one failing record. */
function steps(): SourceChunk[][] {
  const out: SourceChunk[][] = [];
  let ts = 0;
  for (let k = 0; k < POLLS; k++) {
    const values = [];
    for (let i = 0; i < PER_POLL; i++) {
      ts += 1;
      values.push({ k: `k${(k + i) % 4}`, ts: i === 2 ? ts - 3 : ts, n: k * 5 + i });
    }
    if (k % 7 === 3) values.push({ k: 'k0', ts: ts - 30, n: -k });
    if (k === 11) values.push({ k: 'k1', ts, fail: true });
    out.push([{ partition: 0, values }]);
  }
  return out;
}

/** Records the first `polls` polls hold. */
function recordsOf(polls: number): number {
  return steps().slice(0, polls).reduce((n, s) => n + s[0]!.values!.length, 0);
}

function outputs() {
  return {
    out: collection('out').rows.map((r) => r.value),
    raw: collection('raw').rows.map((r) => r.value),
    late: collection('late').rows.map((r) => r.value),
    dead: collection('dead').rows.map((r) => r.value),
  };
}

const slowRaw = () => behaviours.set('raw', { beforeWrite: () => new Promise((r) => setTimeout(r, 3)) });

async function uninterrupted() {
  resetFixtures();
  scripts.set('s', { steps: steps() });
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store: null } });
  assert.equal(r.status, 'finished');
  const o = outputs();
  resetFixtures();
  return o;
}

/** Runs until poll `crashAt` fails, with a checkpoint asked for before poll `at`. */
async function crashAfterCheckpoint(store: MemoryCheckpointStore, at: number, crashAt: number, unaligned: boolean) {
  let job: RunningJob | undefined;
  let checkpointed: Promise<boolean> | undefined;
  slowRaw();
  scripts.set('s', {
    steps: steps(),
    beforePoll: async (k) => {
      if (k === at) checkpointed = job!.triggerCheckpoint();
      if (k === crashAt) {
        assert.equal(await checkpointed, true);
        throw new Error('crash');
      }
    },
  });
  const failed = await runJob(compileYaml(PIPELINE, [tumbleCount]), {
    checkpoint: { store, interval: 0, unaligned },
    queueCapacity: 2,
    restart: { maxAttempts: 0 },
    onStart: (j) => (job = j),
  });
  assert.equal(failed.status, 'failed');
  // The failed run's last slow write may still land (the sink target outlives the job, as a
  // table does): let it, before a restore truncates the target to its checkpointed length.
  await new Promise((r) => setTimeout(r, 30));
  return store.manifests.get(1)!;
}

async function inFlightAt(store: MemoryCheckpointStore, manifest: CheckpointManifest) {
  return inFlightOf(await readCheckpoint(store, manifest, new MemoryStateBackend()));
}

void test('an unaligned checkpoint takes the queued items instead of draining them, and a restore hands them on: outputs as uninterrupted', async () => {
  const expected = await uninterrupted();
  const store = new MemoryCheckpointStore();
  const manifest = await crashAfterCheckpoint(store, 15, 30, true);
  const position = manifest.sources.s as number;
  const inFlight = await inFlightAt(store, manifest);
  assert.ok(inFlight && inFlightItems(inFlight) > 0, 'items were in flight at the barrier');
  const queued = new Map(inFlight.map(([name, items]) => [name, items]));
  const toRaw = queued.get('s -> raw') ?? [];
  const queuedRecords = toRaw.reduce((n, item) => n + (item.batch?.length ?? 0), 0);
  assert.ok(queuedRecords > 0, 'the slow sink had batches queued');
  // What the sink had written at the barrier plus what was queued for it is everything read.
  assert.equal((manifest.sinks.raw as number) + queuedRecords, recordsOf(position), 'written + in flight = read');
  assert.ok(toRaw.every((item) => item.trace === undefined), 'no span context is stored');

  // A new run over the same store and the same (in-memory) sink targets, as after kill -9.
  scripts.set('s', { steps: steps() });
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0 } });
  assert.equal(r.status, 'finished');
  assert.deepEqual(r.restoredFrom, { id: 1, store: 'memory' });
  assert.deepEqual(outputs(), expected);
});

void test('checkpoint.unaligned false: the barrier drains the queues and stores no items', async () => {
  const expected = await uninterrupted();
  const store = new MemoryCheckpointStore();
  const manifest = await crashAfterCheckpoint(store, 15, 30, false);
  assert.deepEqual(await inFlightAt(store, manifest), []);
  assert.equal(manifest.sinks.raw, recordsOf(manifest.sources.s as number), 'the sink wrote everything read before the barrier');
  scripts.set('s', { steps: steps() });
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0, unaligned: false } });
  assert.equal(r.status, 'finished');
  assert.deepEqual(outputs(), expected);
});

void test('restores of unaligned checkpoints taken anywhere in the stream end as uninterrupted', async () => {
  const expected = await uninterrupted();
  for (const [at, crashAt] of [[2, 6], [9, 13], [24, 37]] as const) {
    resetFixtures();
    const store = new MemoryCheckpointStore();
    await crashAfterCheckpoint(store, at, crashAt, true);
    scripts.set('s', { steps: steps() });
    const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0 }, queueCapacity: 2 });
    assert.equal(r.status, 'finished', `checkpoint before poll ${at}`);
    assert.deepEqual(outputs(), expected, `checkpoint before poll ${at}, crash at poll ${crashAt}`);
  }
});

void test('a pipeline without the queue an unaligned checkpoint holds items for is refused on restore', async () => {
  const store = new MemoryCheckpointStore();
  const manifest = await crashAfterCheckpoint(store, 15, 30, true);
  const inFlight = await inFlightAt(store, manifest);
  assert.ok(inFlight?.some(([name]) => name === 's -> raw'), 'items were queued for raw');
  scripts.set('s', { steps: steps() });
  const r = await runJob(compileYaml(WITHOUT_RAW, [tumbleCount]), { checkpoint: { store, interval: 0 }, restart: { maxAttempts: 0 } });
  assert.equal(r.status, 'failed');
  assert.equal(r.error?.code, 'E_CHECKPOINT');
  assert.match(r.error!.message, /in-flight items for 's -> raw'/);
});
