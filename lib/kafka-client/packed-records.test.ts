import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maybeControl } from './control-record.ts';
import { MAX_PACK_RECORDS, maybePacked, packedLine, packLines, unpack } from './packed-records.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

void test('records round-trip through packed messages, as text or bytes, with their event times', () => {
  const lines = [packedLine(1000, '{"a":1}'), packedLine(-5, '{"b":"x\\ty"}'), packedLine(1.5, '"s"'), packedLine(1733400000123, '{}')];
  const [value, more] = packLines(lines);
  assert.equal(more, undefined);
  const expected = { times: [1000, -5, 1.5, 1733400000123], payloads: ['{"a":1}', '{"b":"x\\ty"}', '"s"', '{}'] };
  assert.deepEqual(unpack(value!, 0), expected);
  assert.deepEqual(unpack(bytes(value!), 0), expected);
  assert.ok(maybePacked(value!) && maybePacked(bytes(value!)));
  assert.ok(!maybeControl(value!), 'not a control record');
});

void test('a message holds at most MAX_PACK_RECORDS records; every record is in exactly one message, in order', () => {
  const lines = Array.from({ length: MAX_PACK_RECORDS * 2 + 3 }, (_, i) => packedLine(i, `{"i":${i}}`));
  const values = packLines(lines);
  assert.deepEqual(values.map((v) => unpack(v, 0)!.payloads.length), [MAX_PACK_RECORDS, MAX_PACK_RECORDS, 3]);
  assert.deepEqual(values.flatMap((v) => unpack(v, 0)!.times), lines.map((_, i) => i));
});

void test('large records cut a message by size', () => {
  const big = `"${'x'.repeat(100_000)}"`;
  const values = packLines([packedLine(1, big), packedLine(2, big), packedLine(3, big), packedLine(4, big)]);
  assert.equal(values.length, 2);
  assert.deepEqual(values.map((v) => unpack(v, 0)!.times), [[1, 2, 3], [4]]);
});

void test('a line whose time does not parse is handed on whole, with the message\'s time (the codec dead-letters it); other values are not packed', () => {
  const value = `${packLines([packedLine(1, '{"ok":1}')])[0]}\nbroken line\n\tno-time`;
  assert.deepEqual(unpack(value, 77), { times: [1, 77, 77], payloads: ['{"ok":1}', 'broken line', '\tno-time'] });
  assert.equal(unpack('{"a":1}', 0), undefined);
  assert.equal(unpack(bytes('\u0001other'), 0), undefined);
  assert.ok(!maybePacked('{"a":1}'));
});
