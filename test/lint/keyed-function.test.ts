/**
 * Keyed functions are plugins (kind `keyed_function`): `keyed_process`'s `function:` is looked
 * up among the loaded plugins and its `options:` validated by the function's spec, each
 * problem located at its line and column like any plugin config.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePipeline, formatIssue } from '../../core/runtime/graph/index.ts';
import { builtinRegistry } from '../../core/runtime/plugins/index.ts';
import { firstTrigger } from '../../plugins/experiment-analytics/first-trigger/index.ts';

/** The built-ins and the experiment package's `first_trigger`, registered as its package would be. */
async function registry() {
  const r = (await builtinRegistry()).clone();
  r.tryRegister({ definition: firstTrigger, package: 'sluice-experiment-analytics', version: '0.1.0', module: 'plugins/experiment-analytics/first-trigger/index.ts', exportName: 'firstTrigger' });
  return r;
}

const pipeline = (fn: string, options: string) => [
  'name: k',
  'sources:',
  '  s: { generator: { count: 3, fields: { user_id: { int: [1, 2] }, experiment_id: { int: [1, 2] } } } }',
  'operators:',
  '  t:',
  '    input: s',
  '    keyed_process:',
  `      function: ${fn}`,
  '      key: [user_id, experiment_id]',
  `      options: ${options}`,
  'sinks:',
  '  out: { input: t, null: {} }',
  '',
].join('\n');

const lint = async (text: string) =>
  compilePipeline({ file: 'k.yaml', text, env: {}, plugins: await registry() }).issues.map((i) => formatIssue(i).split('\n')[0]!);

void test('an unknown keyed function is E_UNKNOWN_PLUGIN at its value, with the names loaded', async () => {
  assert.deepEqual(await lint(pipeline('first_triger', '{}')), [
    'k.yaml:8:17  operators.t.keyed_process.function  unknown keyed_function plugin "first_triger" (did you mean "first_trigger"?) [E_UNKNOWN_PLUGIN]',
  ]);
});

void test("the function's options are checked by its spec, located", async () => {
  assert.deepEqual(await lint(pipeline('first_trigger', '{ allowed_lateness: soon, metadata: x }')), [
    'k.yaml:10:36  operators.t.keyed_process.options.allowed_lateness  expected a duration such as 30s, 5m or 3d, got the string "soon" [E_CONFIG_INVALID]',
    'k.yaml:10:42  operators.t.keyed_process.options.metadata  unknown key "metadata" [E_UNKNOWN_KEY]',
  ]);
  const ok = compilePipeline({ file: 'k.yaml', text: pipeline('first_trigger', '{ allowed_lateness: 1h }'), env: {}, plugins: await registry() });
  assert.deepEqual(ok.issues, []);
  const config = ok.pipeline!.operators[0]!.config as { function: { kind: string; name: string }; options: { allowed_lateness: number; metadata_field: string } };
  assert.equal(config.function.kind, 'keyed_function');
  assert.equal(config.function.name, 'first_trigger');
  assert.deepEqual(config.options, { metadata_field: 'metadata', allowed_lateness: 3_600_000 });
});
