import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, didYouMean, editDistance } from './suggest.ts';

void test('edit distance', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('same', 'same'), 0);
  assert.equal(editDistance('abcdef', 'x', 2), 3); // bails out past the bound
});

void test('near misses within 2 edits, case-insensitive', () => {
  assert.equal(closest('filtr', ['filter', 'map']), 'filter');
  assert.equal(closest('Event_Tme', ['event_time']), 'event_time');
  assert.equal(closest('window', ['filter', 'map']), undefined);
  assert.equal(didYouMean('pth', ['path', 'poll']), ' (did you mean "path"?)');
  assert.equal(didYouMean('zzzz', ['path']), '');
});
