import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field } from '../../api/index.ts';
import type { FieldSpec } from '../../api/index.ts';
import { windowAggregateSpec } from '../../../plugins/operator-window-aggregate/spec.ts';
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

const aggregates = (value: string) => `cfg:\n  key: page\n  window: { tumbling: 1m }\n  aggregates:\n    users: ${value}\n`;
const SHAPES = 'one of count, {sum: …}, {min: …}, {max: …}, {avg: …}, {distinct: …}, {approx_distinct: …}, {quantiles: …}';

void test('a key no alternative has: one error at the value, did you mean, the shapes allowed', () => {
  assert.deepEqual(run(windowAggregateSpec, aggregates('{ distinct_count: user_id }')), [
    `5:12 cfg.aggregates.users E_UNKNOWN_KEY unknown key "distinct_count" (did you mean "distinct"?): expected ${SHAPES}`,
  ]);
  assert.deepEqual(run(windowAggregateSpec, aggregates('{ zzz: user_id }')), [`5:12 cfg.aggregates.users E_UNKNOWN_KEY unknown key "zzz": expected ${SHAPES}`]);
});

void test("the alternative the key selects reports its own problems only", () => {
  assert.deepEqual(run(windowAggregateSpec, aggregates('{ sum: 3 }')), ['5:19 cfg.aggregates.users.sum E_CONFIG_INVALID expected a string, got the number 3']);
  assert.deepEqual(run(windowAggregateSpec, aggregates('{ quantiles: { field: x, qs: [0.5] } }')), [
    '5:37 cfg.aggregates.users.quantiles.qs E_UNKNOWN_KEY unknown key "qs" (did you mean "q"?)',
    '5:14 cfg.aggregates.users.quantiles E_MISSING_FIELD missing required key "q"',
  ]);
});

void test('two alternatives at once, and enum values: one error with did you mean', () => {
  assert.deepEqual(run(windowAggregateSpec, aggregates('{ min: a, max: b }')), [
    `5:12 cfg.aggregates.users E_CONFIG_INVALID expected ${SHAPES}, got {min, max}: "min" and "max" are alternatives, give one`,
  ]);
  assert.deepEqual(run(windowAggregateSpec, aggregates('cont')), [`5:12 cfg.aggregates.users E_CONFIG_INVALID expected ${SHAPES}, got "cont" (did you mean "count"?)`]);
  assert.deepEqual(run(windowAggregateSpec, aggregates('[1]')), [`5:12 cfg.aggregates.users E_CONFIG_INVALID expected ${SHAPES}, got a list`]);
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
