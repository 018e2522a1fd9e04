import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createExpressionCompiler } from '../../core/runtime/expr/index.ts';
import { directProjection } from './projection.ts';

const project = { experiment_id: 'left.experiment_id', n: 'left.n', action: 'right.action', flag: 'right.flag', none: 'left.none' };

void test('only plain `side.field` projections are compiled', () => {
  assert.ok(directProjection(project));
  assert.equal(directProjection({ a: 'left.a', b: 'right.a + 1' }), undefined);
  assert.equal(directProjection({ a: 'left.a.b' }), undefined);
  assert.equal(directProjection({ a: 'other.a' }), undefined);
  assert.equal(directProjection({ __proto__: 'left.a' } as Record<string, string>), undefined);
  assert.equal(directProjection({}), undefined);
});

void test('a direct row equals the CEL evaluation of every field, or is left to it', () => {
  const cel = createExpressionCompiler();
  const compiled = Object.entries(project).map(([name, source]) => [name, cel.compile(source, 'join')] as const);
  const evaluate = (left: object, right: object) => {
    const out: Record<string, unknown> = {};
    for (const [name, e] of compiled) out[name] = e.evaluate({ left, right });
    return out;
  };
  const direct = directProjection(project)!;
  const base = { experiment_id: 'e1', n: 3, none: null };
  const cases: [object, object, boolean][] = [
    [base, { action: 'click', flag: true }, true],
    [{ ...base, n: 2.5 }, { action: '', flag: false }, true],
    [{ ...base, n: -0 }, { action: 'x', flag: true }, true],
    [{ experiment_id: 'e1', n: 3 }, { action: 'click', flag: true }, false], // left.none missing
    [{ ...base, n: 3n }, { action: 'click', flag: true }, false], // a BigInt: CEL normalises it
    [{ ...base, n: [1, 2] }, { action: 'click', flag: true }, false], // a list: CEL copies it
    [{ ...base, n: { a: 1 } }, { action: 'click', flag: true }, false],
    [Object.assign(Object.create(null) as object, base), { action: 'click', flag: true }, false],
    [base, { action: undefined, flag: true }, false],
  ];
  for (const [left, right, handled] of cases) {
    const row = direct(left as Record<string, unknown>, right as Record<string, unknown>);
    if (!handled) {
      assert.equal(row, undefined);
      continue;
    }
    assert.ok(row);
    assert.deepEqual(Object.keys(row), Object.keys(project));
    assert.deepEqual(row, evaluate(left, right));
  }
});
