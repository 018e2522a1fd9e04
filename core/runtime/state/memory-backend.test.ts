import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStateBackend } from './memory-backend.ts';

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of it) out.push(c);
  return out;
}

async function* replay(chunks: Uint8Array[]) {
  yield* chunks;
}

void test('snapshot and restore round-trip values, Maps and arrays across small chunks', async () => {
  const a = new MemoryStateBackend();
  const t = a.table<unknown>('op', 'v');
  for (let i = 0; i < 5000; i++) t.set(`k${i}`, { n: i, m: new Map([[i, 'x']]), l: [i, i + 1] });
  a.table('op', 'empty');
  a.table<string>('op2', 'big').set('huge', 'x'.repeat(10_000)); // larger than a chunk: spans several
  const chunks = await collect(a.snapshot(1024));
  assert.ok(chunks.length > 10);
  for (const c of chunks) assert.ok(c.length <= 1024, `chunk of ${c.length} bytes`);

  const b = new MemoryStateBackend();
  const before = b.table<unknown>('op', 'v');
  before.set('stale', 1);
  await b.restore(replay(chunks));
  assert.equal(before.get('stale'), undefined, 'restore replaces what was there');
  assert.equal(before.size, 5000, 'tables created before restore stay valid');
  assert.deepEqual(before.get('k4321'), { n: 4321, m: new Map([[4321, 'x']]), l: [4321, 4322] });
  assert.equal(b.table<string>('op2', 'big').get('huge')!.length, 10_000);
  assert.deepEqual(b.tableSizes().get('op\u0000empty'), 0);
});

void test('snapshot yields to the event loop between chunks', async () => {
  const a = new MemoryStateBackend();
  const t = a.table<number[]>('op', 'v');
  for (let i = 0; i < 20_000; i++) t.set(`k${i}`, [i, i, i, i]);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const chunks = await collect(a.snapshot(16 * 1024));
  clearInterval(timer);
  assert.ok(chunks.length > 3);
  assert.ok(ticks > 0, 'the event loop ran while the snapshot was written');
});

void test('a truncated snapshot fails to restore', async () => {
  const a = new MemoryStateBackend();
  a.table<string>('op', 'v').set('k', 'x'.repeat(500));
  const chunks = await collect(a.snapshot(128));
  await assert.rejects(new MemoryStateBackend().restore(replay(chunks.slice(0, -1))), /ends inside a frame/);
});

void test('approximateBytes grows with the state', () => {
  const a = new MemoryStateBackend();
  const t = a.table<string>('op', 'v');
  for (let i = 0; i < 1000; i++) t.set(`k${i}`, 'x'.repeat(100));
  const bytes = a.approximateBytes();
  assert.ok(bytes > 100_000 && bytes < 200_000, String(bytes));
});
