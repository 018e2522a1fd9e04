import { test } from 'node:test';
import assert from 'node:assert/strict';
import { state, type StateKey } from '../../api/state.ts';
import { MemoryStateBackend } from './memory-backend.ts';
import { KeyContext } from './key-context.ts';
import { createStateHandles } from './handles.ts';

async function* replay(chunks: Uint8Array[]) {
  yield* chunks;
}

/** Every table's entries, cloned so later in-place changes to live values cannot hide. */
function contents(backend: MemoryStateBackend): Map<string, [StateKey, unknown][]> {
  const out = new Map<string, [StateKey, unknown][]>();
  for (const name of backend.tableSizes().keys()) {
    const [op, st] = name.split('\u0000') as [string, string];
    const t = backend.table<unknown>(op, st);
    out.set(name, structuredClone([...t.keys()].sort().map((k): [StateKey, unknown] => [k, t.get(k)])));
  }
  return out;
}

function handles(backend: MemoryStateBackend) {
  const kc = new KeyContext();
  const set = createStateHandles(
    backend,
    'win',
    { count: state.value<{ n: number; sum: number }>(), panes: state.map<number, number[]>(), seen: state.list<string>() },
    kc,
    { watermark: () => Number.NEGATIVE_INFINITY, now: () => 0 },
  );
  return { kc, h: set.handles };
}

void test('a capture restores to exactly the barrier state while keys are mutated in place, deleted and added during the write', async () => {
  const backend = new MemoryStateBackend();
  const { kc, h } = handles(backend);
  for (let i = 0; i < 20_000; i++) {
    kc.key = `k${i}`;
    h.count.set({ n: i, sum: i * 2 });
    h.panes.set(i % 7, [i]);
    if (i % 3 === 0) h.seen.add(`s${i}`);
  }
  backend.table('other', 'empty');
  const expected = contents(backend);

  const capture = backend.capture();
  const chunks: Uint8Array[] = [];
  let step = 0;
  for await (const chunk of capture.snapshot(16 * 1024)) {
    chunks.push(chunk);
    // The job runs on between chunks: in-place updates through handles, deletes, new keys.
    for (let j = 0; j < 500; j++) {
      const i = (step * 7919 + j * 104_729) % 20_000;
      kc.key = `k${i}`;
      const c = h.count.get();
      if (c) {
        c.n += 1000; // in place, then written back, as operators do
        h.count.set(c);
      }
      h.panes.set(i % 7, [...(h.panes.get(i % 7) ?? []), -1]);
      h.seen.add('later');
      if (j % 5 === 0) {
        h.count.clear();
        h.panes.clear();
      }
      kc.key = `new${step}-${j}`;
      h.count.set({ n: -1, sum: -1 });
    }
    backend.table<number>('late', 'table').set(`x${step}`, step);
    step++;
  }
  capture.release();
  assert.ok(step > 10, `the write spanned ${step} chunks`);

  const restored = new MemoryStateBackend();
  await restored.restore(replay(chunks));
  const got = contents(restored);
  assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort(), 'the same tables, none created after the barrier');
  for (const [name, entries] of expected) assert.deepStrictEqual(got.get(name), entries, `table ${name} is the barrier's`);
});

void test('release unhooks the tables and stops the writer; a new capture supersedes an open one', async () => {
  const backend = new MemoryStateBackend();
  const t = backend.table<{ n: number }>('op', 'v');
  for (let i = 0; i < 10_000; i++) t.set(`k${i}`, { n: i });
  const first = backend.capture();
  const it = first.snapshot(1024)[Symbol.asyncIterator]();
  await it.next();
  first.release();
  await assert.rejects(async () => {
    for (;;) if ((await it.next()).done) break;
  }, /released/);
  t.get('k1')!.n = 99; // nothing open: no copy kept, the live value changes
  const second = backend.capture();
  const third = backend.capture();
  await assert.rejects(async () => {
    for await (const _ of second.snapshot(1024)) void _;
  }, /released/);
  const chunks: Uint8Array[] = [];
  for await (const c of third.snapshot(1 << 20)) chunks.push(c);
  third.release();
  const restored = new MemoryStateBackend();
  await restored.restore(replay(chunks));
  assert.deepEqual(restored.table('op', 'v').get('k1'), { n: 99 });
  assert.equal(restored.table('op', 'v').size, 10_000);
});

void test('restore releases an open capture', async () => {
  const backend = new MemoryStateBackend();
  backend.table<number>('op', 'v').set('a', 1);
  const capture = backend.capture();
  await backend.restore(replay([]));
  await assert.rejects(async () => {
    for await (const _ of capture.snapshot(1024)) void _;
  }, /released/);
});
