/**
 * Issue 12: checkpoint chunks had no checksum (165 of 200 single-bit flips decoded to other
 * values), and a declined checkpoint's partial chunks were never removed. Now each chunk's
 * CRC-32 is in the manifest and verified on restore; a corrupt newest checkpoint falls back
 * to the previous complete one (logged); a declined attempt's chunks are deleted.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceChunk } from '../../core/api/index.ts';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { readCheckpoint, runtimeChunks, writeCheckpointChunks } from '../../core/runtime/checkpoint/snapshot-io.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import type { RunningJob } from '../../core/runtime/engine/index.ts';
import { MemoryStateBackend } from '../../core/runtime/state/index.ts';
import { collection, compileYaml, resetFixtures, scripts } from '../engine/fixtures.ts';
import { tumbleCount } from '../engine/test-operators.ts';

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
  out: { input: per_key, collect: { name: out } }
`;

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

void test('every single-bit flip in a checkpoint chunk is refused on restore, none decodes to other values', async () => {
  const store = new MemoryCheckpointStore();
  const backend = new MemoryStateBackend();
  const table = backend.table('op', 't');
  for (let i = 0; i < 50; i++) table.set(`key-${i}`, { n: i, name: `value ${i}` });
  const runtime = runtimeChunks([['a', { watermark: 12345, list: [1, 2, 3] }]]);
  const written = await writeCheckpointChunks(store, 1, backend.snapshot(1 << 20), runtime, () => false, 'w1');
  const manifest = { id: 1, job: 'j', createdAt: 0, generation: 0, chunks: written.chunks, sources: {}, sinks: {}, runtime: { kind: 'periodic' as const, watermarks: {} } };
  let flips = 0;
  for (const ref of written.chunks) {
    const original = store.chunks.get(1)!.get(ref.name)!;
    for (let bit = 0; bit < original.byteLength * 8; bit += 7) {
      const bad = new Uint8Array(original); // a copy (Buffer#slice would be a view)
      bad[bit >> 3]! ^= 1 << (bit & 7);
      store.chunks.get(1)!.set(ref.name, bad);
      await assert.rejects(readCheckpoint(store, manifest as never, new MemoryStateBackend()), (e: Error) => /fails its checksum/.test(e.message), `bit ${bit} of ${ref.name}`);
      flips++;
    }
    store.chunks.get(1)!.set(ref.name, original);
  }
  assert.ok(flips > 100);
  const restored = new MemoryStateBackend();
  await readCheckpoint(store, manifest as never, restored);
  assert.deepEqual(restored.table('op', 't').get('key-7'), { n: 7, name: 'value 7' }, 'the intact checkpoint restores');
});

void test('a corrupt newest checkpoint: the job restores the previous complete one and says so', async () => {
  scripts.set('s', { steps: steps() });
  const clean = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store: null } });
  assert.equal(clean.status, 'finished');
  const expected = collection('out').rows.map((r) => r.value);
  resetFixtures();

  const store = new MemoryCheckpointStore();
  let job: RunningJob | undefined;
  const taken: Promise<boolean>[] = [];
  scripts.set('s', {
    steps: steps(),
    beforePoll: async (k) => {
      // One at a time: the second is asked for once the first completed.
      if (k === 10) taken.push(job!.triggerCheckpoint());
      if (k === 15) {
        await taken[0];
        taken.push(job!.triggerCheckpoint());
      }
      if (k === 25) {
        assert.deepEqual(await Promise.all(taken), [true, true]);
        throw new Error('crash');
      }
    },
  });
  const failed = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0 }, restart: { maxAttempts: 0 }, onStart: (j) => (job = j) });
  assert.equal(failed.status, 'failed');
  const newest = store.manifests.get(2)!;
  const chunk = newest.chunks.find((c) => c.name.startsWith('state-'))!;
  const data = store.chunks.get(2)!.get(chunk.name)!;
  data[data.byteLength >> 1]! ^= 0x10;

  const logged: string[] = [];
  scripts.set('s', { steps: steps() });
  const logger = { debug() {}, info: (m: string) => void logged.push(m), warn: (m: string) => void logged.push(m), error: (m: string) => void logged.push(m), child() { return logger; } };
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0 }, logger: logger as never });
  assert.equal(r.status, 'finished', r.error?.message);
  assert.deepEqual(r.restoredFrom, { id: 1, store: 'memory' });
  assert.ok(logged.some((m) => /checkpoint 2 .*corrupt.*checkpoint 1/i.test(m)), logged.join('\n'));
  // Rows written after checkpoint 1 were truncated and written again: the outputs are whole.
  const rows = collection('out').rows.map((x) => x.value);
  assert.deepEqual(rows, expected);
});

void test("a declined checkpoint's chunks are deleted", async () => {
  const store = new MemoryCheckpointStore();
  let commits = 0;
  const wrote = new Set<number>();
  store.beforeWrite = (what, id) => {
    if (what === 'chunk') wrote.add(id);
    if (what === 'commit' && ++commits === 2) throw new Error('disk full');
  };
  let job: RunningJob | undefined;
  const taken: Promise<boolean>[] = [];
  scripts.set('s', {
    steps: steps(),
    beforePoll: async (k) => {
      // One at a time: the second is asked for once the first completed.
      if (k === 10) taken.push(job!.triggerCheckpoint());
      if (k === 15) {
        await taken[0];
        taken.push(job!.triggerCheckpoint());
      }
      if (k === 25) {
        assert.deepEqual(await Promise.all(taken), [true, false]);
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('crash');
      }
    },
  });
  const r = await runJob(compileYaml(PIPELINE, [tumbleCount]), { checkpoint: { store, interval: 0, tolerableFailures: 3 }, restart: { maxAttempts: 0 }, onStart: (j) => (job = j) });
  assert.equal(r.status, 'failed');
  assert.equal(r.checkpoints.declined, 1);
  assert.deepEqual([...store.manifests.keys()], [1]);
  assert.ok(wrote.has(2), 'the declined attempt had written chunks');
  assert.deepEqual([...store.chunks.keys()], [1], 'the declined attempt left no chunks');
});
