import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordError } from '../../core/api/index.ts';
import { createExpressionCompiler } from '../../core/runtime/expr/index.ts';
import { compileTemplate, parseTemplate } from './template.ts';

const cel = createExpressionCompiler();

void test('placeholders read fields, dotted paths and CEL; literal text and doubled braces stay', () => {
  const row = { user_id: 'u1', n: 3, ok: true, user: { country: 'fr' }, tags: ['a'], experiment_id: 'e', group: 'g' };
  assert.equal(compileTemplate('{user_id}', 'key').render(row), 'u1');
  assert.equal(compileTemplate('{n}', 'key').render(row), '3');
  assert.equal(compileTemplate('{{{user.country}}}-{ok}', 'key').render(row), '{fr}-true');
  assert.equal(compileTemplate('{tags}', 'key').render(row), '["a"]');
  assert.equal(compileTemplate('{experiment_id + "/" + group}', 'key', cel).render(row), 'e/g');
  assert.equal(compileTemplate('fixed', 'key').render(row), 'fixed');
});

void test('a missing or null value and a CEL error reject the record; bad templates fail at compile', () => {
  const t = compileTemplate('{user.country}|{n}', 'key');
  assert.throws(() => t.render({ user: {}, n: 1 }), (e) => e instanceof RecordError && e.reason === 'key_error' && /'user.country' is missing/.test(e.message));
  assert.throws(() => compileTemplate('{user_id}', 'key').render({ user_id: null }), /'user_id' is null/);
  assert.throws(() => compileTemplate('{a.b + 1}', 'key', cel).render({ a: {} }), RecordError);
  assert.throws(() => parseTemplate('{a'), /unclosed/);
  assert.throws(() => parseTemplate('a}'), /unmatched/);
  assert.throws(() => parseTemplate('{ }'), /empty placeholder/);
  assert.throws(() => compileTemplate('{a + 1}', 'key'), /no CEL compiler/);
});
