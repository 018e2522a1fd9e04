import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globToRegExp, isGlob } from './glob.ts';

void test('globToRegExp matches like a shell glob', () => {
  const cases: [string, string, boolean][] = [
    ['*.jsonl', 'a.jsonl', true],
    ['*.jsonl', 'd/a.jsonl', false],
    ['**/*.jsonl', 'a.jsonl', true],
    ['**/*.jsonl', 'd/e/a.jsonl', true],
    ['d/**', 'd/e/f', true],
    ['a?.log', 'ab.log', true],
    ['a?.log', 'a.log', false],
    ['{x,y}-[0-9].txt', 'y-7.txt', true],
    ['{x,y}-[0-9].txt', 'z-7.txt', false],
    ['[!a]b', 'cb', true],
    ['[!a]b', 'ab', false],
    ['a.b+c(d)', 'a.b+c(d)', true],
    ['a.b', 'axb', false],
  ];
  for (const [glob, path, expected] of cases) assert.equal(globToRegExp(glob).test(path), expected, `${glob} vs ${path}`);
  assert.equal(isGlob('data/in.jsonl'), false);
  assert.equal(isGlob('data/*.jsonl'), true);
});
