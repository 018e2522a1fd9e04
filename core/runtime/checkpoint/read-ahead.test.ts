import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAhead } from './read-ahead.ts';

async function* chunks(n: number, size: number, log: number[], failAt = -1) {
  for (let i = 0; i < n; i++) {
    if (i === failAt) throw new Error(`source failed at ${i}`);
    log.push(i);
    yield new Uint8Array(size).fill(i);
  }
}

void test('read-ahead yields every chunk in order, pulling ahead of a slow consumer up to its byte bound', async () => {
  const pulled: number[] = [];
  const seen: number[] = [];
  let aheadAtFirst = 0;
  for await (const chunk of readAhead(chunks(10, 100, pulled), 350)) {
    if (seen.length === 0) {
      await new Promise((r) => setTimeout(r, 20)); // a slow store write
      aheadAtFirst = pulled.length;
    }
    seen.push(chunk[0]!);
  }
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(aheadAtFirst >= 3 && aheadAtFirst <= 5, `pulled ${aheadAtFirst} chunks while the first was written`);
});

void test('read-ahead passes a source failure on after the chunks before it', async () => {
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const chunk of readAhead(chunks(10, 10, [], 4), 1000)) seen.push(chunk[0]!);
  }, /source failed at 4/);
  assert.deepEqual(seen, [0, 1, 2, 3]);
});

void test('a consumer that stops early stops the source', async () => {
  const pulled: number[] = [];
  for await (const chunk of readAhead(chunks(100, 10, pulled), 30)) if (chunk[0] === 2) break;
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(pulled.length <= 7, `pulled ${pulled.length}`);
});
