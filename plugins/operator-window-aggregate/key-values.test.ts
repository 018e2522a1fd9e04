import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinKey, keyExtractor } from '../../core/runtime/state/keys.ts';
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

void test('integer keys (a number key for an integer or its text): the value comes back with its own type', () => {
  const extract = keyExtractor(['k'], true);
  for (const v of [42, '42', 0, '-3', -3, 'u1', '042', 1.5]) {
    const key = extract({ k: v });
    const code = encodeKeyValues(key, [v]);
    assert.notEqual(code, 0, String(v));
    assert.deepEqual(decodeKeyValues(key, code, 1), [v]);
  }
  assert.equal(encodeKeyValues(42, [-0]), 0);
  assert.equal(encodeKeyValues(42, [41]), 0, 'a key computed from other fields');
  assert.equal(encodeKeyValues(42, ['41']), 0);
});
