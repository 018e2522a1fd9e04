/**
 * Lint diagnostics with the real built-in plugins: a union of single-key mappings reports
 * one error at the value (the shapes allowed, "did you mean") or the selected alternative's
 * own problem; a `null:` sink block is read as the plugin `null`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { compilePipeline, formatIssue } from '../../core/runtime/graph/index.ts';
import { builtinRegistry } from '../../core/runtime/plugins/index.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const SHAPES = 'one of count, {sum: …}, {min: …}, {max: …}, {avg: …}, {distinct: …}, {approx_distinct: …}, {quantiles: …}';

void test('aggregates: one located error per value, no error about the first alternative', async () => {
  const file = fixture('null-sink-and-aggregates.yaml');
  const { issues } = compilePipeline({ file, env: {}, plugins: await builtinRegistry() });
  assert.deepEqual(
    issues.map((i) => formatIssue(i).split('\n')[0]!.slice(file.length + 1)),
    [
      `13:16  operators.per_page.window_aggregate.aggregates.users  unknown key "distinct_count" (did you mean "distinct"?): expected ${SHAPES} [E_UNKNOWN_KEY]`,
      `14:17  operators.per_page.window_aggregate.aggregates.clicks  expected ${SHAPES}, got "cont" (did you mean "count"?) [E_CONFIG_INVALID]`,
      '15:23  operators.per_page.window_aggregate.aggregates.total.sum  expected a string, got the number 3 [E_CONFIG_INVALID]',
    ],
  );
  // The hint is the union's own doc, not the first alternative's.
  assert.match(issues[0]!.hint ?? '', /^`count`, `\{sum: f\}`/);
});

void test('a `null:` sink block selects the null sink', async () => {
  const text = 'name: n\nsources:\n  s:\n    generator: { count: 3, fields: { a: { int: [1, 2] } } }\nsinks:\n  out: { input: s, null: {} }\n';
  const result = compilePipeline({ file: 'n.yaml', text, env: {}, plugins: await builtinRegistry() });
  assert.deepEqual(result.issues, []);
  assert.equal(result.pipeline?.sinks[0]?.plugin.name, 'null');
});
