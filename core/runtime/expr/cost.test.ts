import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordError } from '../../api/index.ts';
import { createExpressionCompiler } from './compiler.ts';
import { meterComprehensions } from './cost.ts';
import { parseExpression } from './compiler.ts';

const xs = Array.from({ length: 100 }, (_, i) => i);
const overBudget = (err: unknown) => err instanceof RecordError && err.reason === 'cel_cost_exceeded' && /engine\.cel_max_cost/.test(err.message);

void test('comprehension iterations are counted, nested ones included, against the limit', () => {
  const cel = createExpressionCompiler({ maxCost: 10_100 });
  // 100 outer + 100 × 100 inner = 10,100 iterations: exactly at the limit.
  assert.equal(cel.compile('size(xs.map(a, xs.map(b, a + b)))', 'record').evaluate({ xs }), 100);
  assert.throws(() => cel.compile('size(xs.map(a, xs.map(b, a + b)))', 'record').evaluate({ xs: [...xs, 100] }), overBudget);
  // The count starts again at every evaluation.
  const e = cel.compile('size(xs.filter(a, a > 10))', 'record');
  for (let i = 0; i < 5; i++) assert.equal(e.evaluate({ xs: Array.from({ length: 10_000 }, (_, j) => j) }), 9989);
});

void test('every comprehension macro is metered, inside cel.bind and the join scope too', () => {
  const cel = createExpressionCompiler({ maxCost: 1000 });
  for (const source of [
    'xs.map(a, xs.map(b, b)).size() > 0',
    'xs.map(a, a > 0, xs.filter(b, b > a)).size() > 0',
    'xs.all(a, !xs.exists(b, b > 1000))',
    'xs.exists(a, xs.all(b, b < 1000) && a < 0)',
    'xs.exists_one(a, xs.exists(b, b == 1000))',
    'cel.bind(ys, xs.map(a, a), ys.map(b, xs.map(c, c)).size())',
  ]) {
    assert.throws(() => cel.compile(source, 'record').evaluate({ xs }), overBudget, source);
  }
  assert.throws(() => cel.compile('left.xs.map(a, right.xs.map(b, a + b)).size()', 'join').evaluate({ left: { xs }, right: { xs } }), overBudget);
  assert.throws(() => cel.compile('has(self.xs) && self.xs.map(a, xs.map(b, b)).size() > 0', 'record').evaluate({ xs }), overBudget);
});

void test('a quantifier that absorbs the cost error of a step still fails the evaluation', () => {
  const cel = createExpressionCompiler({ maxCost: 150 });
  // exists: the first step's inner map runs 100 (101 counted), the second goes over and
  // errs, the third is true; CEL's error semantics would answer true.
  const e = cel.compile('xs.exists(a, a == 2 || xs.map(b, b).size() == 0)', 'record');
  assert.throws(() => e.evaluate({ xs }), overBudget);
  assert.equal(e.evaluate({ xs: [2, 0] }), true);
});

void test('expressions without a comprehension are not instrumented', () => {
  assert.equal(meterComprehensions(parseExpression('amount > 100 && user_id != "u7"').ast, 1, 'x'), undefined);
  assert.ok(meterComprehensions(parseExpression('xs.exists(a, a > 1)').ast, 1, 'x'));
  assert.ok(meterComprehensions(parseExpression('cel.bind(y, 1, xs.exists(a, a > y))').ast, 1, 'x'));
});

void test('the default limit is 1,000,000 iterations', () => {
  const cel = createExpressionCompiler();
  const ys = Array.from({ length: 999 }, (_, i) => i);
  assert.equal(cel.compile('size(xs.map(a, xs.map(b, b)))', 'record').evaluate({ xs: ys }), 999);
  assert.throws(() => cel.compile('size(xs.map(a, xs.map(b, b)))', 'record').evaluate({ xs: [...ys, 999] }), overBudget);
});
