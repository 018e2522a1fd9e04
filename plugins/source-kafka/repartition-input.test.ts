import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceChunk, SourceInstance } from '../../core/api/index.ts';
import { encodeControl } from '../../lib/kafka-client/control-record.ts';
import { packedLine, packLines } from '../../lib/kafka-client/packed-records.ts';
import { RepartitionInput } from './repartition-input.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (c: SourceChunk) => (c.payloads ?? []).map((p) => (typeof p === 'string' ? p : new TextDecoder().decode(p)));
const wm = (task: number, watermark: number) => encodeControl({ task, watermark });

/** A source that returns these polls, then nothing. */
function scripted(polls: string[][]): SourceInstance & { opened: unknown } {
  let offset = 0;
  const s = {
    opened: undefined as unknown,
    open: (p: unknown) => ((s.opened = p), Promise.resolve()),
    poll: () => {
      const next = polls.shift() ?? [];
      const chunk: SourceChunk = { partition: 't:0', payloads: next.map(bytes), times: next.map(() => 5), offsets: next.map(() => offset++) };
      return Promise.resolve(next.length ? [chunk] : []);
    },
    position: () => ({ 't:0': offset }),
    close: () => Promise.resolve(),
  };
  return s;
}

void test('the watermark is the minimum over every upstream task; control records are not data; a poll ends where the watermark moves', async () => {
  const src = new RepartitionInput(scripted([['{"a":1}', wm(0, 100), '{"a":2}', wm(1, 50), '{"a":3}', wm(1, 200), '{"a":4}']]), 2);
  await src.open(undefined);
  const first = await src.poll(100);
  // Task 1 unknown until its first control record: no watermark before it.
  assert.deepEqual(first!.map(text), [['{"a":1}', '{"a":2}']]);
  assert.equal(first![0]!.watermark, 50);
  assert.deepEqual(first![0]!.offsets, [0, 2]);
  const second = await src.poll(100);
  assert.deepEqual(second!.map(text), [['{"a":3}']]);
  assert.equal(second![0]!.watermark, 100);
  const third = await src.poll(100);
  assert.deepEqual(third!.map(text), [['{"a":4}']]);
  assert.equal(third![0]!.watermark, undefined);
  assert.equal(src.controls, 3);
  assert.deepEqual(src.position(), { offsets: { 't:0': 7 }, upstream: [[0, 100], [1, 200]] });
});

void test('+∞ from every upstream task ends the input; the upstream watermarks are restored from the position', async () => {
  const inner = scripted([[wm(0, Number.POSITIVE_INFINITY), '{"late":1}', wm(1, Number.POSITIVE_INFINITY)]]);
  const src = new RepartitionInput(inner, 2);
  await src.open({ offsets: { 't:0': 3 }, upstream: [[1, 40]] });
  assert.deepEqual(inner.opened, { 't:0': 3 });
  // Task 0's +∞ lifts the minimum from −∞ (task 0 unknown) to task 1's 40.
  const polled = await src.poll(10);
  assert.deepEqual(polled!.map(text), [[]]);
  assert.equal(polled![0]!.watermark, 40);
  const last = await src.poll(10);
  assert.deepEqual(last!.map(text), [['{"late":1}']]);
  assert.equal(last![0]!.watermark, Number.POSITIVE_INFINITY);
  assert.deepEqual(src.position().upstream, [[1, null], [0, null]]);
  assert.equal(await src.poll(10), null);
});

void test('a record that only looks like a control record is handed on as data (the codec dead-letters it)', async () => {
  const src = new RepartitionInput(scripted([['\u0000sluice-watermark:{broken', '{"a":1}']]), 1);
  await src.open(undefined);
  const polled = await src.poll(10);
  assert.deepEqual(polled!.map(text), [['\u0000sluice-watermark:{broken', '{"a":1}']]);
  assert.equal(src.controls, 0);
});

void test('packed messages become their records, each with its event time and its message\'s offset; a poll asks for about maxRecords records', async () => {
  const packed = packLines([packedLine(10, '{"a":1}'), packedLine(20, '{"a":2}'), packedLine(30, '{"a":3}')])[0]!;
  const asked: number[] = [];
  const inner = scripted([['{"old":0}', packed, wm(0, 25)], [packed]]);
  const poll = inner.poll.bind(inner);
  inner.poll = (n: number) => (asked.push(n), poll(n));
  const src = new RepartitionInput(inner, 1);
  await src.open(undefined);
  const [first] = (await src.poll(90))!;
  assert.deepEqual(text(first!).length, 4);
  assert.deepEqual(first!.payloads!.slice(1), ['{"a":1}', '{"a":2}', '{"a":3}']);
  assert.deepEqual(first!.times, [5, 10, 20, 30]);
  assert.deepEqual(first!.offsets, [0, 1, 1, 1]);
  assert.equal(first!.watermark, 25);
  await src.poll(90);
  // 5 records (the control record counts) in 3 messages last time: 54 messages hold about 90 records.
  assert.deepEqual(asked, [90, 54]);
});

void test('records held back after a watermark cut are not in the position: a restore reads them again', async () => {
  const src = new RepartitionInput(scripted([['{"a":1}', wm(0, 100), '{"a":2}', '{"a":3}']]), 1);
  await src.open(undefined);
  const first = await src.poll(100);
  assert.deepEqual(first!.map(text), [['{"a":1}']]);
  // The inner source returned offsets 0..3; 2 and 3 wait in the input.
  assert.deepEqual(src.position(), { offsets: { 't:0': 2 }, upstream: [[0, 100]] });
  await src.poll(100);
  assert.deepEqual(src.position(), { offsets: { 't:0': 4 }, upstream: [[0, 100]] });
});

void test('a savepoint is reached once every upstream task\'s marker of it has been returned; the markers seen survive a checkpoint', async () => {
  const mark = (task: number, savepoint: string, watermark = 100) => encodeControl({ task, watermark, savepoint });
  const src = new RepartitionInput(scripted([['{"a":1}', mark(0, 'sp-b'), mark(1, 'sp-a')]]), 2);
  await src.open({ offsets: { 't:0': 0 }, upstream: [], savepoints: [[1, 'sp-old']] });
  assert.equal(src.savepointReached('sp-b'), false);
  await src.poll(100);
  await src.poll(100);
  // Task 1's marker of another savepoint (an older run's, or one asked of it alone) does not count.
  assert.equal(src.savepointReached('sp-b'), false);
  assert.deepEqual(src.position().savepoints, [[1, 'sp-a'], [0, 'sp-b']]);
  const restored = new RepartitionInput(scripted([['{"a":2}', mark(1, 'sp-b')]]), 2);
  await restored.open(src.position());
  await restored.poll(100);
  await restored.poll(100);
  assert.equal(restored.savepointReached('sp-b'), true);
  assert.equal(restored.savepointReached('sp-a'), false);
});
