/**
 * Fuzz tests (fast-check) of what issue 12 hardened: the JSON codec (never throws, keeps
 * big integers exact), `${VAR}` in CEL (a value is always data) and the UTF-8 check. A fixed
 * seed and a bounded run keep `npm test` repeatable and short; for a longer run set
 * `SLUICE_FUZZ_RUNS` (e.g. 100000) and, to explore, `SLUICE_FUZZ_SEED`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { getCodec } from '../../core/runtime/codec/index.ts';
import { firstInvalidUtf8 } from '../../core/runtime/codec/utf8.ts';
import { createExpressionCompiler } from '../../core/runtime/expr/index.ts';
import { interpolateExpression } from '../../core/runtime/spec/interpolate-expr.ts';

const params = { seed: Number(process.env.SLUICE_FUZZ_SEED ?? 20261205), numRuns: Number(process.env.SLUICE_FUZZ_RUNS ?? 300) };
const json = getCodec('json');

void test('json decode never throws: every payload is a row or a located failure', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 64 }), fc.json()), (payload) => {
      const { rows, failures } = json.decode([payload]);
      assert.equal((rows[0] === undefined ? 0 : 1) + failures.length, 1);
    }),
    params,
  );
});

void test('integer literals decode exactly: unsafe ones as their digits, safe ones as numbers', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), fc.string(), (n, s) => {
      const { rows } = json.decode([`{"n": ${n}, "s": ${JSON.stringify(s)}}`]);
      const expected = Number.isSafeInteger(Number(n)) ? Number(n) : String(n);
      assert.deepEqual(rows[0], { n: expected, s });
    }),
    params,
  );
});

void test('a ${VAR} inside a CEL string literal is always data: it equals exactly its value', () => {
  const compiler = createExpressionCompiler();
  fc.assert(
    fc.property(fc.string(), fc.constantFrom('"', "'"), (value, quote) => {
      const { value: source, problems } = interpolateExpression(`name == ${quote}\${V}${quote}`, { V: value });
      assert.deepEqual(problems, []);
      const expr = compiler.compile(source, 'record');
      assert.equal(expr.evaluate({ name: value }), true);
      assert.equal(expr.evaluate({ name: `${value}x` }), false);
    }),
    params,
  );
});

void test('firstInvalidUtf8 agrees with a fatal TextDecoder', () => {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 32 }), (bytes) => {
      let valid = true;
      try {
        fatal.decode(bytes);
      } catch {
        valid = false;
      }
      assert.equal(firstInvalidUtf8(bytes) === -1, valid);
    }),
    params,
  );
});
