/**
 * How the runtime's config validation (core/runtime/spec) reports problems in this plugin's
 * `aggregates`: a union whose key selects the alternative.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldSpec } from '../../core/api/index.ts';
import { parsePipelineFile } from '../../core/runtime/spec/yaml.ts';
import { validateConfig } from '../../core/runtime/spec/validate.ts';
import { windowAggregateSpec } from './spec.ts';

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

void test('two alternatives at once: one error with did you mean', () => {
  assert.deepEqual(run(windowAggregateSpec, aggregates('{ min: a, max: b }')), [
    `5:12 cfg.aggregates.users E_CONFIG_INVALID expected ${SHAPES}, got {min, max}: "min" and "max" are alternatives, give one`,
  ]);
  assert.deepEqual(run(windowAggregateSpec, aggregates('cont')), [`5:12 cfg.aggregates.users E_CONFIG_INVALID expected ${SHAPES}, got "cont" (did you mean "count"?)`]);
  assert.deepEqual(run(windowAggregateSpec, aggregates('[1]')), [`5:12 cfg.aggregates.users E_CONFIG_INVALID expected ${SHAPES}, got a list`]);
});
