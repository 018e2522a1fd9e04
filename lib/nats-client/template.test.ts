import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordError } from '../../core/api/index.ts';
import { compileTemplate, parseTemplate } from './template.ts';

void test('fields, dotted paths and literal braces; values as text', () => {
  const t = compileTemplate('alerts.{experiment_id}.{user.id}|{{raw}}|{n}|{ok}|{obj}');
  assert.equal(t({ experiment_id: 'e1', user: { id: 7 }, n: 1.5, ok: false, obj: { a: [1] } }), 'alerts.e1.7|{raw}|1.5|false|{"a":[1]}');
  assert.equal(compileTemplate('constant')({}), 'constant');
  assert.deepEqual(parseTemplate('a{b}c'), ['a', ['b'], 'c']);
});

void test('a missing or null field is a record error with reason template_error', () => {
  const t = compileTemplate('x.{a.b}');
  for (const row of [{}, { a: null }, { a: { b: null } }, { a: 'text' }]) {
    assert.throws(() => t(row), (e) => e instanceof RecordError && e.reason === 'template_error' && /'a\.b'/.test(e.message));
  }
});

void test('bad templates are config errors', () => {
  for (const bad of ['{', '{}', '{1a}', 'a}b', '{a b}', '{a..b}']) assert.throws(() => parseTemplate(bad), Error, bad);
});
