import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field } from '../../api/index.ts';
import type { FieldSpec } from '../../api/index.ts';
import { nearMiss } from './suggest.ts';
import { parsePipelineFile } from './yaml.ts';
import { validateConfig } from './validate.ts';

/** Validates the value under `cfg:`; issues as `line:col path code message`. */
function run(spec: FieldSpec, yaml: string) {
  const parsed = parsePipelineFile('c.yaml', yaml, {});
  assert.equal(parsed.ok, true, JSON.stringify(parsed.issues));
  const r = validateConfig(spec, (parsed.value as { cfg: unknown }).cfg, { locator: parsed.locator, path: ['cfg'] });
  return r.issues.map((i) => `${i.line}:${i.col} ${i.configPath} ${i.code} ${i.message}`);
}

/** A union whose alternatives are told apart by their one key (as window_aggregate's aggregates are). */
const shape = field.object({
  a: field.union(
    [
      field.enum(['count'], { doc: 'Count.' }),
      field.object({ sum: field.string({ doc: 'Field.' }) }),
      field.object({ distinct: field.string({ doc: 'Field.' }) }),
      field.object({ quantiles: field.object({ field: field.string({ doc: 'Field.' }), q: field.array(field.number({ doc: 'Q.' }), { doc: 'Qs.' }) }) }),
    ],
    { doc: 'An aggregate.' },
  ),
});
const SHAPES = 'one of count, {sum: …}, {distinct: …}, {quantiles: …}';

void test('a union keyed by its alternatives: an unknown key, the selected alternative\'s own problems, two keys at once', () => {
  assert.deepEqual(run(shape, 'cfg:\n  a: { distinct_count: x }\n'), [`2:6 cfg.a E_UNKNOWN_KEY unknown key "distinct_count" (did you mean "distinct"?): expected ${SHAPES}`]);
  assert.deepEqual(run(shape, 'cfg:\n  a: { sum: 3 }\n'), ['2:13 cfg.a.sum E_CONFIG_INVALID expected a string, got the number 3']);
  assert.deepEqual(run(shape, 'cfg:\n  a: { quantiles: { field: x, qs: [0.5] } }\n'), [
    '2:31 cfg.a.quantiles.qs E_UNKNOWN_KEY unknown key "qs" (did you mean "q"?)',
    '2:8 cfg.a.quantiles E_MISSING_FIELD missing required key "q"',
  ]);
  assert.deepEqual(run(shape, 'cfg:\n  a: { sum: a, distinct: b }\n'), [`2:6 cfg.a E_CONFIG_INVALID expected ${SHAPES}, got {sum, distinct}: "sum" and "distinct" are alternatives, give one`]);
  assert.deepEqual(run(shape, 'cfg:\n  a: cont\n'), [`2:6 cfg.a E_CONFIG_INVALID expected ${SHAPES}, got "cont" (did you mean "count"?)`]);
});

void test('enum values: one error with did you mean', () => {
  const mode = field.object({ mode: field.enum(['append', 'truncate'], { doc: 'Write mode.' }) });
  assert.deepEqual(run(mode, 'cfg: { mode: truncat }\n'), ['1:14 cfg.mode E_CONFIG_INVALID expected one of append, truncate, got the string "truncat" (did you mean "truncate"?)']);
});

void test('other unions still report the closest alternative', () => {
  const key = field.object({ key: field.union([field.string({ doc: 'A field.', minLength: 2 }), field.array(field.string({ doc: 'A field.' }), { doc: 'Fields.' })], { doc: 'Key.' }) });
  assert.deepEqual(run(key, 'cfg: { key: a }\n'), ['1:13 cfg.key E_CONFIG_INVALID must have at least 2 characters']);
  assert.deepEqual(run(key, 'cfg: { key: 3 }\n'), ['1:13 cfg.key E_CONFIG_INVALID expected one of a string, a list, got the number 3']);
});

void test('near misses for alternatives: edits within a third of the word, or containment', () => {
  assert.equal(nearMiss('distinct_count', ['sum', 'distinct', 'approx_distinct']), 'distinct');
  assert.equal(nearMiss('approx_distinct_count', ['distinct', 'approx_distinct']), 'approx_distinct');
  assert.equal(nearMiss('summ', ['sum', 'min']), 'sum');
  assert.equal(nearMiss('average', ['sum', 'avg']), undefined);
  assert.equal(nearMiss('xy', ['xyz_field']), undefined, 'too short to contain');
});
