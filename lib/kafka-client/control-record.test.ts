import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeControl, encodeControl, maybeControl } from './control-record.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

void test('a watermark control record round-trips, +∞ included, as text and as bytes', () => {
  for (const c of [{ task: 0, watermark: 1_700_000_000_000 }, { task: 3, watermark: -5 }, { task: 1, watermark: Number.POSITIVE_INFINITY }]) {
    const text = encodeControl(c);
    assert.ok(maybeControl(text) && maybeControl(bytes(text)));
    assert.deepEqual(decodeControl(text), c);
    assert.deepEqual(decodeControl(bytes(text)), c);
  }
});

void test('data and look-alikes are not control records', () => {
  for (const v of ['{"a":1}', '', 'not json', '\u0000other', '\u0000sluice-watermark:{"task":-1,"watermark":3}', '\u0000sluice-watermark:{oops', '\u0000sluice-watermark:{"task":1,"watermark":"x"}']) {
    assert.equal(decodeControl(v), undefined, v);
    assert.equal(decodeControl(bytes(v)), undefined, v);
  }
  assert.equal(maybeControl(bytes('{"a":1}')), false);
  assert.equal(maybeControl(new Uint8Array(0)), false);
});

void test('a savepoint marker round-trips, with a watermark or with none yet (−∞)', () => {
  for (const c of [{ task: 2, watermark: 1_700_000_000_000, savepoint: 'sp-20261205-150000-ab12' }, { task: 0, watermark: Number.NEGATIVE_INFINITY, savepoint: 'sp-1' }]) {
    const text = encodeControl(c);
    assert.deepEqual(decodeControl(text), c);
    assert.deepEqual(decodeControl(bytes(text)), c);
  }
  // A watermark record without a savepoint still needs its watermark.
  assert.equal(decodeControl('\u0000sluice-watermark:{"task":1}'), undefined);
  assert.equal(decodeControl('\u0000sluice-watermark:{"task":1,"watermark":3,"savepoint":7}'), undefined);
});
