import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIssue, lintFiles } from '../graph/index.ts';
import { builtinModules, builtinRegistry, builtinRegistryFor, REPO_ROOT } from './builtins.ts';
import { describeBuiltins, moduleNeeded, pipelineWords } from './builtin-manifest.ts';
import type { BuiltinManifest } from './builtin-manifest.ts';

const manifest: Promise<BuiltinManifest> = describeBuiltins(builtinModules(), REPO_ROOT);

/** Every pipeline of the repository and the lint fixtures. */
function pipelineFiles(): string[] {
  const dirs = ['pipelines', 'bench/pipelines', 'test/lint/fixtures', 'test/cli/fixtures'];
  return dirs.flatMap((d) => readdirSync(join(REPO_ROOT, d)).filter((f) => /(?<!\.test)\.ya?ml$/.test(f)).map((f) => join(d, f)));
}

void test('the manifest lists every built-in plugin, by module, keyed functions among them', async () => {
  const { modules } = await manifest;
  const full = await builtinRegistry();
  const listed = modules.flatMap((m) => m.plugins.map((p) => `${p.kind}:${p.name} ${m.module}`)).sort();
  assert.deepEqual(listed, full.list().map((e) => `${e.definition.kind}:${e.definition.name} ${e.module}`).sort());
  // A folder with its own package.json is a plugin package, loaded by name: not a built-in.
  assert.ok(!modules.some((m) => m.module.startsWith('plugins/experiment-analytics/')), modules.map((m) => m.module).join(', '));
});

void test('linting with only the built-ins a pipeline names gives what linting with all of them gives', async () => {
  const full = await builtinRegistry();
  const files = pipelineFiles();
  assert.ok(files.length >= 15, files.join(', '));
  for (const file of files) {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    const lazy = await builtinRegistryFor([text], {}, await manifest);
    const shown = (r: typeof full) => lintFiles([join(REPO_ROOT, file)], {}, r).issues.map((i) => formatIssue(i));
    assert.deepEqual(shown(lazy), shown(full), file);
    for (const kind of ['source', 'operator', 'sink', 'checkpoint_store', 'keyed_function'] as const) assert.deepEqual(lazy.names(kind), full.names(kind), `${file}: ${kind} names`);
  }
});

void test('a pipeline selects the modules of the plugins it names, keyed functions by `function:`', async () => {
  const { modules } = await manifest;
  const text = 'name: p\nsources:\n  s: { generator: { count: 1, fields: {} } }\nsinks:\n  out: { input: s, stdout: {} }\n';
  const picked = modules.filter((m) => moduleNeeded(m, pipelineWords([text], {}))).map((m) => m.module);
  assert.deepEqual(picked, ['plugins/sink-stdout/index.ts', 'plugins/source-generator/index.ts']);
  const keyed = 'operators:\n  f: { input: s, keyed_process: { function: first_trigger, key: u } }\n';
  // first_trigger is the experiment package's, not a built-in: only keyed_process is picked.
  assert.deepEqual(modules.filter((m) => moduleNeeded(m, pipelineWords([keyed], {}))).map((m) => m.module), ['plugins/operator-keyed-process/index.ts']);
  // A name that only a `${VAR}` gives is seen through the environment.
  const viaEnv = pipelineWords(['sinks:\n  out: { input: s, ${SINK}: {} }\n'], { SINK: 'file' });
  assert.ok(viaEnv.has('file'));
});
