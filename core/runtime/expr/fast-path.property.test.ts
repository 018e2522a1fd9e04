/**
 * The CEL fast path against cel-js alone, over generated expressions of the subset (and a
 * little beyond it) and generated records: the same value, or the same `RecordError`
 * (reason and message), or the same compile error. Fixed seed, bounded runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { ExprScope } from '../../api/index.ts';
import { RecordError, SluiceError } from '../../api/index.ts';
import { createExpressionCompiler, parseExpression } from './compiler.ts';
import { BAIL, compileFastPath } from './fast-path.ts';

const fast = createExpressionCompiler();
const slow = createExpressionCompiler({ fastPath: false });

const NAMES = ['a', 'b', 'n', 's', 'toString'] as const;

/** Values as records carry them, plus a few kinds the fast path must leave to cel-js. */
const primitive = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('', '_', 'a', 'click', 'B', '2') },
  { weight: 3, arbitrary: fc.integer({ min: -2, max: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom(1.5, -0, 0.1, 1e21, Number.NaN, Infinity, 9007199254740992) },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);
class Box {}
/** Kinds cel-js types differently or refuses: inherited keys, class instances, BigInts, Maps, Dates, functions. */
const exotic = fc.constantFrom<unknown>(
  undefined, 2n, 9007199254740993n, new Date(0), new Map([['a', 1]]), () => 1, new Box(), [1, 2n],
  Object.create({ a: 1 }) as object, Object.assign(new Box(), { a: 1 }), Object.assign(Object.create(null) as object, { a: 'click' }),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { weight: 8, arbitrary: primitive },
    { weight: 2, arbitrary: exotic },
    { weight: 2, arbitrary: fc.array(primitive, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.array(tie('v'), { maxLength: 3, depthIdentifier: 'v' }) },
    { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...NAMES), tie('v'), { maxKeys: 4, depthIdentifier: 'v', noNullPrototype: true }) },
  ),
})).v;
/** Most names present: missing fields are the error path, not the usual one. */
const row = fc.record(Object.fromEntries(NAMES.map((n) => [n, value])), { requiredKeys: ['a', 'b', 'n'], noNullPrototype: true });

const literal = fc.constantFrom('"a"', '"_"', '""', '"click"', '2', '0', '-1', '-2', '1.5', '2.0', '-0.5', 'true', 'false', 'null', '9007199254740993');
const listLiteral = fc.constantFrom('["a", "click"]', '[1, 2]', '[-2, 0]', '[1.5, 2.0]', '[true]', '[]', '[null]', '["_", ""]');

function expressions(scope: ExprScope): fc.Arbitrary<string> {
  const roots = scope === 'join' ? ['left', 'right'] : ['self', ...NAMES];
  const name = fc.constantFrom(...NAMES);
  const path = fc.oneof(
    ...(scope === 'record' ? [{ weight: 3, arbitrary: name }] : []),
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...roots), name).map(([r, n]) => `${r}.${n}`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...roots), name, name).map(([r, n, m]) => `${r}.${n}.${m}`) },
  );
  const operand = fc.oneof(path, literal);
  const has = fc.tuple(fc.constantFrom(...roots), name).map(([r, n]) => `has(${r}.${n})`);
  const comparison = fc.tuple(path, fc.constantFrom('==', '!=', '<', '<=', '>', '>='), operand).map(([l, op, r]) => `${l} ${op} ${r}`);
  const membership = fc.tuple(operand, fc.oneof(listLiteral, path)).map(([l, r]) => `${l} in ${r}`);
  return fc.letrec((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 4, arbitrary: comparison },
      { weight: 2, arbitrary: membership },
      { weight: 2, arbitrary: has },
      { weight: 2, arbitrary: path },
      { weight: 1, arbitrary: literal },
      { weight: 2, arbitrary: fc.tuple(tie('e'), fc.constantFrom('&&', '||'), tie('e')).map(([l, op, r]) => `(${l} ${op} ${r})`) },
      { weight: 1, arbitrary: tie('e').map((e) => `!(${e})`) },
      { weight: 1, arbitrary: fc.tuple(tie('e'), fc.constantFrom('==', '!=', '<'), tie('e')).map(([l, op, r]) => `(${l}) ${op} (${r})`) },
      { weight: 1, arbitrary: fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`) },
      // Beyond the subset: compiled by cel-js alone, still compared.
      { weight: 1, arbitrary: fc.tuple(path, literal).map(([p, l]) => `${p} + ${l}`) },
      { weight: 1, arbitrary: path.map((p) => `size(${p})`) },
    ),
  })).e as fc.Arbitrary<string>;
}

type Outcome = { value: unknown } | { error: string } | { compile: string };

function outcome(compile: () => { evaluate(vars: Record<string, unknown>): unknown }, vars: Record<string, unknown>): Outcome {
  let expr;
  try {
    expr = compile();
  } catch (error) {
    assert.ok(error instanceof SluiceError, String(error));
    return { compile: error.message };
  }
  try {
    return { value: expr.evaluate(vars) };
  } catch (error) {
    assert.ok(error instanceof RecordError, String(error));
    return { error: `${error.reason}: ${error.message}` };
  }
}

function differential(scope: ExprScope, seed: number): void {
  const vars: fc.Arbitrary<Record<string, unknown>> = scope === 'join' ? fc.record({ left: fc.oneof({ weight: 4, arbitrary: row }, { weight: 1, arbitrary: value }), right: row }, { requiredKeys: ['right'], noNullPrototype: true }) : row;
  let decided = 0;
  let compared = 0;
  fc.assert(
    fc.property(expressions(scope), fc.array(vars, { minLength: 1, maxLength: 6 }), (source, records) => {
      const fastPath = (() => {
        try {
          return compileFastPath(parseExpression(source).ast, scope);
        } catch {
          return undefined;
        }
      })();
      for (const r of records) {
        const v = r as Record<string, unknown>;
        const expected = outcome(() => slow.compile(source, scope), v);
        const got = outcome(() => fast.compile(source, scope), v);
        if (!isDeepStrictEqual(got, expected)) assert.fail(`${source} over ${fc.stringify(r)}: fast ${fc.stringify(got)}, cel-js ${fc.stringify(expected)}`);
        if (!fastPath) continue;
        compared++;
        if (fastPath(v) !== BAIL) decided++;
      }
    }),
    { seed, numRuns: 1500, endOnFailure: true },
  );
  // The fast path must decide a fair share by itself, or the comparison proves little.
  assert.ok(compared > 1000 && decided > compared * 0.2, `fast path decided ${decided} of the ${compared} evaluations it compiled`);
}

void test('record scope: the fast path gives what cel-js gives, errors included', () => differential('record', 20261205));

void test('join scope: the fast path gives what cel-js gives, errors included', () => differential('join', 20261206));

void test('the kinds cel-js treats its own way give what cel-js gives', () => {
  const cases: [string, ExprScope, Record<string, unknown>][] = [
    ['b.a == 1', 'record', { b: Object.assign(new Box(), { a: 1 }) }],
    ['b.a == 1', 'record', { b: Object.create({ a: 1 }) as object }],
    ['b.a == "click"', 'record', { b: Object.assign(Object.create(null) as object, { a: 'click' }) }],
    ['n in b', 'record', { n: 2, b: [1, 2n] }],
    ['n == 2', 'record', { n: 2n }],
    ['n < 9007199254740993', 'record', { n: 9007199254740992 }],
    ['has(self.a)', 'record', { a: undefined }],
    ['has(self.a)', 'record', { a: new Date(0) }],
    ['toString == "x"', 'record', {}],
    ['self', 'record', Object.assign(new Box(), { a: 1 }) as unknown as Record<string, unknown>],
    ['left.a', 'join', { left: new Map([['a', 1]]) }],
    // cel-js types a list or map by its first element, recursively, and fails on a kind it does not know.
    ['n in l', 'record', { n: 'a', l: [() => 1, 'a'] }],
    ['n in l', 'record', { n: 'a', l: ['a', () => 1] }],
    ['n in l', 'record', { n: 'a', l: [[new Box()], 'a'] }],
    ['n in m', 'record', { n: 'a', m: { b: () => 1, a: 1 } }],
    ['n in m', 'record', { n: 'a', m: { b: [new Date(0)], a: 1 } }],
    ['n in m', 'record', { n: 'a', m: { b: undefined, a: 1 } }],
    ['n in m', 'record', { n: 'a', m: Object.create({ a: 1 }) as object }],
    ['n in m', 'record', { n: 2, m: { 2: 1 } }],
  ];
  for (const [source, scope, vars] of cases) {
    assert.deepEqual(outcome(() => fast.compile(source, scope), vars), outcome(() => slow.compile(source, scope), vars), source);
  }
});

void test('the flagship expressions take the fast path', () => {
  for (const [source, scope] of [['action != "_"', 'record'], ['right.ts < left.epoch_end && right.action in left.actions', 'join'], ['has(self.flag) && flag', 'record'], ['left.experiment_id', 'join']] as const) {
    assert.ok(compileFastPath(parseExpression(source).ast, scope), source);
  }
  for (const source of ['amount + 1', 'size(name) > 2', 'x[0] == 1', 'has(a.b.c)', '1u == x']) assert.equal(compileFastPath(parseExpression(source).ast, 'record'), undefined, source);
});
