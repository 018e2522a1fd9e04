import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyMatcher } from './key-match.ts';

void test('`*` matches one token, `>` one or more, literals themselves', () => {
  const m = keyMatcher(['exp.*', 'meta.>', 'flags']);
  const keys = ['exp.a', 'exp', 'exp.a.b', 'meta', 'meta.x', 'meta.x.y', 'flags', 'flags.x', 'other'];
  assert.deepEqual(keys.filter(m), ['exp.a', 'meta.x', 'meta.x.y', 'flags']);
  assert.equal(keyMatcher(['>'])('any.thing'), true);
  assert.equal(keyMatcher(['a.*.c'])('a.b.c'), true);
  assert.equal(keyMatcher(['a.*.c'])('a.b.d'), false);
});
