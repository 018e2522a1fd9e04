import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionBuffer } from './partition-buffer.ts';

const segment = (from: number, n: number) => {
  const offsets = Array.from({ length: n }, (_, i) => from + i);
  return { payloads: offsets.map((o) => new Uint8Array([o])), times: offsets.map((o) => o * 10), offsets, meta: offsets.map((o) => ({ o })) };
};

void test('take drains segments in order, whole ones as they came, partial ones sliced and joined', () => {
  const b = new PartitionBuffer();
  const first = segment(0, 3);
  b.push(first, 10);
  b.push(segment(3, 4), 10);
  assert.equal(b.size, 7);
  assert.equal(b.fetchNext, 7);
  assert.equal(b.highWatermark, 10);
  const a = b.take(3)!;
  assert.equal(a.offsets, first.offsets, 'a whole segment is handed over without a copy');
  const c = b.take(2)!;
  assert.deepEqual([c.offsets, c.times, c.meta], [[3, 4], [30, 40], [{ o: 3 }, { o: 4 }]]);
  b.push(segment(7, 2), 12);
  const d = b.take(100)!;
  assert.deepEqual([d.offsets, d.payloads.map((p) => p[0])], [[5, 6, 7, 8], [5, 6, 7, 8]]);
  assert.equal(b.size, 0);
  assert.equal(b.take(5), undefined);
  b.push(segment(9, 0), 12);
  assert.equal(b.size, 0, 'an empty fetch adds nothing');
  b.push(segment(9, 2), 12);
  b.clear();
  assert.equal(b.take(5), undefined);
});
