import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordError, SluiceError } from '../../api/index.ts';
import { createExpressionCompiler } from './compiler.ts';

const cel = createExpressionCompiler();

void test('record scope: fields are variables, JSON numbers mix with int literals', () => {
  const e = cel.compile('amount > 100 && user_id != "u7"', 'record');
  assert.equal(e.source, 'amount > 100 && user_id != "u7"');
  assert.equal(e.evaluate({ amount: 150, user_id: 'u1' }), true);
  assert.equal(e.evaluate({ amount: 150, user_id: 'u7' }), false);
  assert.equal(e.evaluate({ amount: 99.5, user_id: 'u1' }), false);
  assert.equal(cel.compile('amount + 1', 'record').evaluate({ amount: 5 }), 6);
  assert.equal(cel.compile('n % 2 == 1', 'record').evaluate({ n: 7 }), true);
  assert.equal(cel.compile('amount == 100', 'record').evaluate({ amount: 100 }), true);
  assert.equal(cel.compile('amount in [100, 200]', 'record').evaluate({ amount: 200 }), true);
});

void test('integer results become numbers, nested ones too', () => {
  assert.equal(cel.compile('size(name)', 'record').evaluate({ name: 'abc' }), 3);
  assert.deepEqual(cel.compile('{"n": size(xs), "m": 2}', 'record').evaluate({ xs: [1] }), { n: 1, m: 2 });
  assert.deepEqual(cel.compile('[size(xs), 2]', 'record').evaluate({ xs: [] }), [0, 2]);
  assert.equal(cel.compile('1u', 'record').evaluate({}), 1);
});

void test('a missing field or a type error throws RecordError expr_error', () => {
  const e = cel.compile('amount > 100', 'record');
  assert.throws(() => e.evaluate({}), (err: unknown) => err instanceof RecordError && err.reason === 'expr_error' && /amount/.test(err.message));
  assert.throws(() => e.evaluate({ amount: 'many' }), (err: unknown) => err instanceof RecordError && err.reason === 'expr_error');
  assert.throws(() => cel.compile('user.age > 1', 'record').evaluate({ user: {} }), RecordError);
});

void test('has(self.field) guards a top-level field', () => {
  const e = cel.compile('has(self.discount) ? amount - discount : amount', 'record');
  assert.equal(e.evaluate({ amount: 10, discount: 3 }), 7);
  assert.equal(e.evaluate({ amount: 10 }), 10);
  assert.throws(() => e.evaluate({}), RecordError);
  // the slot is cleared: a later record does not see an earlier one
  assert.equal(e.evaluate({ amount: 1 }), 1);
  assert.deepEqual(cel.compile('self', 'record').evaluate({ a: 1 }), { a: 1 });
});

void test('join scope sees left and right', () => {
  const e = cel.compile('left.amount + right.fee', 'join');
  assert.equal(e.evaluate({ left: { amount: 10 }, right: { fee: 0.5 } }), 10.5);
  assert.throws(() => e.evaluate({ left: { amount: 1 }, right: {} }), RecordError);
});

void test('compile errors are SluiceError E_EXPR', () => {
  assert.throws(() => cel.compile('amount > ', 'record'), (err: unknown) => err instanceof SluiceError && err.code === 'E_EXPR' && /does not parse/.test(err.message));
  assert.throws(() => cel.compile('1 + "a"', 'record'), (err: unknown) => err instanceof SluiceError && err.code === 'E_EXPR' && /type-check/.test(err.message));
});

void test('prototype members of a record are not fields', () => {
  assert.throws(() => cel.compile('toString == 1', 'record').evaluate({}), RecordError);
});
