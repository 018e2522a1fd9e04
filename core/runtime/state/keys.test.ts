import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinKey, keyBatch, keyExtractor, KEY_SEPARATOR, splitKey } from './keys.ts';
import { RecordError } from '../../api/errors.ts';

void test('one field, several fields and dotted paths', () => {
  assert.equal(keyExtractor(['user'])({ user: 'u1' }), 'u1');
  assert.equal(keyExtractor(['user'])({ user: 42 }), '42');
  assert.equal(keyExtractor(['a', 'b'])({ a: 'x', b: true }), `x${KEY_SEPARATOR}true`);
  assert.equal(keyExtractor(['m.id'])({ m: { id: 7 } }), '7');
  assert.equal(keyExtractor(['o'])({ o: { z: 1 } }), '{"z":1}');
  assert.deepEqual(splitKey(keyExtractor(['a', 'b'])({ a: 1, b: 2 }) as string), ['1', '2']);
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

void test('several top-level fields: the same keys as joinKey, missing fields in order, non-primitives as JSON', () => {
  const extract = keyExtractor(['e', 'n', 'g']);
  for (const row of [{ e: 'x', n: 1.5, g: true }, { e: 'x', n: 1.5, g: true }, { e: 'y', n: -0, g: 'a' }, { e: 'x', n: { a: 1 }, g: 'b' }, { e: 'x', n: [1], g: 'b' }]) {
    assert.equal(extract(row), joinKey([row.e, row.n, row.g]));
  }
  assert.throws(() => extract({ e: null, g: 'a' }), /'e' is missing/);
  assert.throws(() => extract({ e: 'x', g: 'a' }), /'n' is missing/);
  assert.throws(() => extract({ e: 'x', n: 2 }), /'g' is missing/);
});
