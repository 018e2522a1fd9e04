/**
 * Issue 12: integers beyond 2^53 were rounded (two distinct ids became one and `dedupe`
 * dropped a real event), and `Infinity` was written as `null`. Now such integers decode as
 * strings of their exact digits, and a non-finite number is an encode error (dead-lettered).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder } from '../../core/api/index.ts';
import { getCodec } from '../../core/runtime/codec/index.ts';

const json = getCodec('json');

void test('integers beyond 2^53 are kept exactly, as strings; safe numbers and strings are untouched', () => {
  const { rows, failures } = json.decode([
    '{"id": 9007199254740993, "n": 12, "f": 1.5e300, "s": "12345678901234567890"}',
    '{"id": 9007199254740992, "neg": -123456789012345678901, "arr": [18446744073709551615, 1]}',
    '{"text": "a \\" 99999999999999999 \\"", "x": 1234567890123456.5}',
  ]);
  assert.deepEqual(failures, []);
  assert.deepEqual(rows[0], { id: '9007199254740993', n: 12, f: 1.5e300, s: '12345678901234567890' });
  assert.notEqual(rows[0]!.id, rows[1]!.id, 'two distinct ids stay distinct');
  assert.deepEqual(rows[1], { id: '9007199254740992', neg: '-123456789012345678901', arr: ['18446744073709551615', 1] });
  assert.deepEqual(rows[2], { text: 'a " 99999999999999999 "', x: 1234567890123456.5 });
});

void test('a non-finite number is rejected at encode, not written as null', () => {
  const b = new BatchBuilder();
  b.push({ a: 1, b: null }, 0);
  b.push({ a: Infinity }, 0);
  b.push({ nested: { list: [1, Number.NaN] } }, 0);
  const r = json.encode(b.take());
  assert.equal(r.text, '{"a":1,"b":null}\n');
  assert.deepEqual(r.rejected.map((x) => [x.index, (x.error as { reason: string }).reason]), [[1, 'non_finite_number'], [2, 'non_finite_number']]);
  assert.match((r.rejected[1]!.error as Error).message, /nested\.list\[1\]/);
});
