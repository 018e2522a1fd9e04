import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordError } from '../../core/api/index.ts';
import { createExpressionCompiler } from '../../core/runtime/expr/index.ts';
import { cellText, compilePathsReader, compileSource, compileTemplate, parseTemplate } from './template.ts';

const cel = createExpressionCompiler();
const row = { experiment_id: 'exp_1', epoch_start: 1_700_000_000_000, segment: 0, action: 'click', group: 'control', nested: { a: 7 } };

void test('paths, zero-padded widths and dotted paths', () => {
  const t = compileTemplate('{experiment_id}|{epoch_start:13}|{segment}|{action}|{group}');
  assert.equal(t.render(row), 'exp_1|1700000000000|0|click|control');
  assert.equal(compileTemplate('{segment:3}/{nested.a:2}').render(row), '000/07');
  assert.equal(compileTemplate('{{literal}}-{group}').render(row), '{literal}-control');
});

void test('CEL placeholders, width included', () => {
  const t = compileTemplate('{has(self.action) ? action : "_"}|{(segment + 1):4}', cel);
  assert.equal(t.render(row), 'click|0001');
  assert.equal(t.render({ segment: 2 }), '_|0003');
  assert.throws(() => compileTemplate('{a + 1}'), /no CEL compiler/);
});

void test('a missing field, a negative or too wide value under a width reject the record', () => {
  const t = compileTemplate('{experiment_id}|{epoch_start:13}');
  for (const bad of [{ epoch_start: 1 }, { experiment_id: 'e' }, { experiment_id: 'e', epoch_start: -5 }, { experiment_id: 'e', epoch_start: 1e13 }, { experiment_id: null, epoch_start: 1 }]) {
    assert.throws(() => t.render(bad), (e: unknown) => e instanceof RecordError && e.reason === 'row_key_error');
  }
});

void test('templates that do not parse are refused up front', () => {
  assert.throws(() => parseTemplate('{a|{b}'), /unclosed/);
  assert.throws(() => parseTemplate('a}b'), /unmatched/);
  assert.throws(() => parseTemplate('{}'), /empty placeholder/);
  assert.deepEqual(parseTemplate('x{a:13}y'), ['x', { inner: 'a', width: 13 }, 'y']);
});

void test('cell text: decimal numbers, strings as they are, null empty', () => {
  assert.deepEqual([cellText(12), cellText(0.25), cellText(12n), cellText('a'), cellText(true), cellText(null), cellText(undefined), cellText(NaN), cellText({ a: 1 })], [
    '12', '0.25', '12', 'a', 'true', undefined, undefined, undefined, '{"a":1}',
  ]);
});

void test('a paths reader reads every path as the single-path readers do', () => {
  const paths = ['experiment_id', 'nested.a', 'nested.a.b', 'missing.x', 'segment'];
  const read = compilePathsReader(paths);
  for (const r of [row, { nested: null }, { nested: 'text' }, {}]) {
    const out: unknown[] = [];
    read(r, out);
    assert.deepEqual(out, paths.map((p) => compileSource(p, undefined)(r)));
  }
  assert.deepEqual(paths.map((p) => compileSource(p, undefined)(row)), ['exp_1', 7, undefined, undefined, 0]);
  assert.throws(() => compilePathsReader(['a + 1']), /not a field path/);
});
