import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkExpression } from './check.ts';

const fields = { amount: 'double', user_id: 'string', count: 'int', tags: 'list', ts: 'timestamp' } as const;

void test('a good expression has no problems', () => {
  assert.deepEqual(checkExpression('amount > 100 && user_id != "u7"', 'record', fields, 'bool'), []);
  assert.deepEqual(checkExpression('count + 1.5 > amount', 'record', fields, 'bool'), []);
  assert.deepEqual(checkExpression('has(self.amount) && size(tags) > 0', 'record', fields, 'bool'), []);
  // self is the escape hatch for fields the stream does not declare
  assert.deepEqual(checkExpression('has(self.discount) ? self.discount > 1.0 : false', 'record', fields, 'bool'), []);
  assert.deepEqual(checkExpression('discount > 1.0', 'record', fields, 'bool'), ['CEL: unknown field or variable "discount"']);
  assert.deepEqual(checkExpression('anything.goes', 'record', undefined, 'any'), []);
  assert.deepEqual(checkExpression('amount in [100, 200] && count in [1.5]', 'record', fields, 'bool'), []);
  assert.deepEqual(checkExpression('amount == 100 && count == 2.5', 'record', fields, 'bool'), []);
});

void test('parse errors name the column', () => {
  assert.deepEqual(checkExpression('amount > ', 'record', fields), ['CEL: Unexpected token: EOF (column 10)']);
});

void test('unknown variables are reported only when fields are known, with did-you-mean', () => {
  assert.deepEqual(checkExpression('amout > 1', 'record', fields), ['CEL: unknown field or variable "amout" (did you mean "amount"?)']);
  assert.deepEqual(checkExpression('amout > 1', 'record'), []);
});

void test('type errors', () => {
  const [problem] = checkExpression('user_id + 1', 'record', fields);
  assert.match(problem!, /no such overload: string \+ int/);
});

void test('a predicate that cannot be bool', () => {
  assert.deepEqual(checkExpression('amount + 1', 'record', fields, 'bool'), ['CEL: a predicate must return bool, but this returns double']);
  // dyn may be a bool at run time
  assert.deepEqual(checkExpression('ts', 'record', fields, 'bool'), []);
  assert.deepEqual(checkExpression('', 'record', fields), ['a CEL expression cannot be empty']);
});

void test('join scope: left and right, checked against each side when known', () => {
  assert.deepEqual(checkExpression('left.amount + right.fee', 'join'), []);
  assert.deepEqual(checkExpression('amount', 'join'), ['CEL: unknown field or variable "amount"']);
  const sides = { left: { amount: 'double' }, right: { fee: 'double' } } as const;
  assert.deepEqual(checkExpression('left.amount + right.fee', 'join', sides), []);
  assert.deepEqual(checkExpression('left.amout', 'join', sides), ['CEL: No such key: amout (column 6) (did you mean "amount"?)']);
});
