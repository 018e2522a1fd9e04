import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyInterner } from './key-interner.ts';
import { keyExtractor, KEY_SEPARATOR } from './keys.ts';

void test('multi-field keys: the same text as built field by field, the same string for a combination seen before', () => {
  const extract = keyExtractor(['e', 'n', 'g']);
  const rows = [{ e: 'x', n: 1, g: 'c' }, { e: 'x', n: 1, g: 't' }, { e: 'x', n: '1', g: 'c' }, { e: 'y', n: 1, g: 'c' }, { e: 'x', n: 1, g: 'c' }, { e: 'x', n: -0, g: true }, { e: 'x', n: { a: 1 }, g: 'c' }];
  const keys = rows.map((r) => extract(r));
  assert.deepEqual(keys, [
    ['x', '1', 'c'], ['x', '1', 't'], ['x', '1', 'c'], ['y', '1', 'c'], ['x', '1', 'c'], ['x', '0', 'true'], ['x', '{"a":1}', 'c'],
  ].map((p) => p.join(KEY_SEPARATOR)));
  assert.equal(extract({ e: 'a', n: 2, g: 'b' }), extract({ e: 'a', n: 2, g: 'b' }));
  assert.throws(() => extract({ e: 'x', g: 'c' }), /key field 'n' is missing/);
});

void test('the interner starts over past its limit and keeps answering correctly', () => {
  const interner = new KeyInterner(2, 3);
  for (let i = 0; i < 10; i++) assert.equal(interner.set([i, 'a'], `${i}|a`), `${i}|a`);
  assert.equal(interner.get([9, 'a']), '9|a');
  assert.equal(interner.get([0, 'a']), undefined, 'forgotten after the reset');
  assert.equal(interner.get([9, 'b']), undefined);
});
