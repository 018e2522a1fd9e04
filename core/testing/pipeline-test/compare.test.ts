import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareOutput, subsetMatches } from './compare.ts';

const exact = { how: 'exact', ordered: false } as const;
const subset = { how: 'subset', ordered: false } as const;

void test('rows compare exactly, as a multiset: order does not matter, counts and types do', () => {
  assert.deepEqual(compareOutput('out', [{ a: 1 }, { a: 2 }, { a: 2 }], [{ a: 2 }, { a: 1 }, { a: 2 }], exact), []);
  assert.deepEqual(compareOutput('out', [{ a: 1 }], [{ a: 1 }, { a: 1 }], exact), [
    'out: 1 expected, 2 arrived — 0 different, 0 missing, 1 unexpected',
    '  + unexpected  {a: 1}',
  ]);
  assert.deepEqual(compareOutput('out', [{ k: 'x', n: 2 }], [{ k: 'x', n: '2' }], exact), [
    'out: 1 expected, 1 arrived — 1 different, 0 missing, 0 unexpected',
    '  ~ different  {k: "x"}  n: expected 2, got "2"',
  ]);
  // An extra field in the actual row is a difference for a sink.
  assert.match(compareOutput('out', [{ k: 'x' }], [{ k: 'x', extra: true }], exact)[1]!, /extra: not expected, got true/);
});

void test('ordered: rows compare position by position', () => {
  const ordered = { how: 'exact', ordered: true } as const;
  assert.deepEqual(compareOutput('out', [{ a: 1 }, { a: 2 }], [{ a: 1 }, { a: 2 }], ordered), []);
  assert.deepEqual(compareOutput('out', [{ a: 1 }, { a: 2 }], [{ a: 2 }, { a: 1 }], ordered), [
    'out: 2 expected, 2 arrived, in order — 2 different, 0 missing, 0 unexpected',
    '  ~ different  #1 {a: 1}  a: expected 1, got 2',
    '  ~ different  #2 {a: 2}  a: expected 2, got 1',
  ]);
});

void test('late and dead-letter entries match on the fields they list, nested by subset', () => {
  assert.equal(subsetMatches({ reason: 'x', record: { id: 1 } }, { reason: 'x', operator: 'o', record: { id: 1, ts: 5 } }), true);
  assert.equal(subsetMatches({ record: { id: 1 } }, { record: { id: 2 } }), false);
  assert.equal(subsetMatches({ tags: [1] }, { tags: [1, 2] }), false, 'lists compare whole');
  // A greedy pass would give the only `a` row to the vague expectation and fail the precise one.
  const actual = [{ reason: 'r', id: 'a' }, { reason: 'r', id: 'b' }];
  assert.deepEqual(compareOutput('late', [{ reason: 'r' }, { id: 'a' }], actual, subset), []);
  assert.deepEqual(compareOutput('late', [{ reason: 'r' }], actual, subset), [
    'late: 1 expected, 2 arrived, matched on the fields listed — 0 different, 0 missing, 1 unexpected',
    '  + unexpected  {reason: "r", id: "b"}',
  ]);
});
