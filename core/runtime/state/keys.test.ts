import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyBatch, keyExtractor, KEY_SEPARATOR, splitKey } from './keys.ts';
import { RecordError } from '../../api/errors.ts';

void test('one field, several fields and dotted paths', () => {
  assert.equal(keyExtractor(['user'])({ user: 'u1' }), 'u1');
  assert.equal(keyExtractor(['user'])({ user: 42 }), '42');
  assert.equal(keyExtractor(['a', 'b'])({ a: 'x', b: true }), `x${KEY_SEPARATOR}true`);
  assert.equal(keyExtractor(['m.id'])({ m: { id: 7 } }), '7');
  assert.equal(keyExtractor(['o'])({ o: { z: 1 } }), '{"z":1}');
  assert.deepEqual(splitKey(keyExtractor(['a', 'b'])({ a: 1, b: 2 })), ['1', '2']);
});

void test('a missing key field throws missing_key', () => {
  assert.throws(() => keyExtractor(['user'])({}), (e: unknown) => e instanceof RecordError && e.reason === 'missing_key');
  assert.throws(() => keyExtractor(['a', 'b'])({ a: 1, b: null }), /'b' is missing/);
  assert.throws(() => keyExtractor(['m.id'])({ m: 3 }), /missing/);
});

void test('keyBatch leaves out records without a key and reports them', () => {
  const failed: number[] = [];
  const batch = { length: 3, values: [{ k: 'a' }, {}, { k: 'c' }], times: [1, 2, 3], provenance: [{ source: 's', line: 1 }, undefined, { source: 's', line: 3 }] };
  const keyed = keyBatch(batch, keyExtractor(['k']), (i) => failed.push(i));
  assert.deepEqual(failed, [1]);
  assert.deepEqual(keyed.keys, ['a', 'c']);
  assert.deepEqual(keyed.times, [1, 3]);
  assert.equal(keyed.length, 2);
  assert.deepEqual(keyed.provenance, [{ source: 's', line: 1 }, { source: 's', line: 3 }]);
});
