import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinKey } from '../../core/runtime/state/keys.ts';
import { decodeKeyValues, encodeKeyValues } from './key-values.ts';

const roundTrip = (values: unknown[]) => {
  const key = joinKey(values);
  const code = encodeKeyValues(key, values);
  return code === 0 ? 'fallback' : decodeKeyValues(key, code, values.length);
};

void test('strings, numbers and booleans come back from the key text with their types', () => {
  for (const values of [['u1'], [42], [1.5e300], [-7.25], [true], [false], ['', 0], ['a', 2, true, 'x y'], ['12']]) {
    assert.deepEqual(roundTrip(values), values);
  }
});

void test('values the key text cannot give back fall back to stored values', () => {
  for (const values of [[{ a: 1 }], [-0], [Number.NaN], [Infinity], [null], ['a\u001fb', 'c'], [10n]]) {
    assert.equal(roundTrip(values), 'fallback', JSON.stringify(values, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
  }
  assert.equal(encodeKeyValues('other', ['u1']), 0, 'a key computed from other fields');
  assert.equal(encodeKeyValues('7', ['7']), 1);
  assert.equal(encodeKeyValues('7', [7]), 2);
});
