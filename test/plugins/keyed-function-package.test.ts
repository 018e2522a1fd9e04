// A keyed function shipped in a plugin package is found, version-checked and documented like
// any plugin: loaded by package name under `plugins:`, its options checked by its spec at
// lint time, refused with both versions named when the package's API range does not match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePipeline, formatIssue } from '../../core/runtime/graph/index.ts';
import { registryForPipelines } from '../../core/runtime/plugins/index.ts';
import { renderPluginPage } from '../../core/cli/plugin-docs/render.ts';
import { explainUnknownPlugins } from '../../core/cli/unknown-plugin.ts';

const INDEX = `import { defineKeyedFunction, field, state } from 'sluice/api';
export const pkgCounter = defineKeyedFunction({
  name: 'pkg_counter',
  summary: 'Counts elements per key, in steps.',
  spec: field.object({ step: field.integer({ doc: 'Added per element.', default: 1, min: 1 }) }),
  state: () => ({ n: state.value() }),
  processElement(value, ctx) {
    const n = (ctx.state.n.get() ?? 0) + ctx.options.step;
    ctx.state.n.set(n);
    ctx.emit({ key: ctx.key, n });
  },
});
`;

function pkg(dir: string, name: string, range: string): void {
  mkdirSync(join(dir, name));
  const json = { name, version: '1.2.3', type: 'module', sluice: { role: 'plugin' }, exports: './index.js', peerDependencies: { sluice: range } };
  writeFileSync(join(dir, name, 'package.json'), JSON.stringify(json));
  writeFileSync(join(dir, name, 'index.js'), INDEX);
}

const pipeline = (name: string, options: string) => `name: p
plugins: [./${name}]
sources:
  s: { generator: { count: 3, fields: { u: { int: [1, 2] } } } }
operators:
  c:
    input: s
    keyed_process: { function: pkg_counter, key: u, options: ${options} }
sinks:
  out: { input: c, null: {} }
`;

const dir = mkdtempSync(join(tmpdir(), 'sluice-kf-'));
pkg(dir, 'sluice-plugin-kf', '^0.1.0');
pkg(dir, 'sluice-plugin-kf-old', '^2.0.0');

async function lint(name: string, options: string) {
  const file = join(dir, `${name}-${options.replace(/\W/g, '')}.yaml`);
  writeFileSync(file, pipeline(name, options));
  const loaded = await registryForPipelines([file], { cwd: dir, allowPluginPath: true });
  const compiled = compilePipeline({ file, env: {}, plugins: loaded.registry });
  return { loaded, compiled, file };
}

void test("a package's keyed function is a plugin: registered under its package, options checked by its spec", async () => {
  const { loaded, compiled } = await lint('sluice-plugin-kf', '{ step: 2 }');
  assert.deepEqual(loaded.issues, []);
  const entry = loaded.registry.entry('keyed_function', 'pkg_counter');
  assert.equal(entry?.package, 'sluice-plugin-kf');
  assert.deepEqual(compiled.issues.map(formatIssue), []);
  assert.deepEqual((compiled.pipeline!.operators[0]!.config as { options: unknown }).options, { step: 2 });
  assert.match(renderPluginPage(entry!), /# `pkg_counter` \(keyed function\)[\s\S]*\| `step` \| integer 1…∞ \| no \| `1` \| Added per element\. \|/);

  const bad = await lint('sluice-plugin-kf', '{ step: 0 }');
  assert.deepEqual(bad.compiled.issues.map((i) => formatIssue(i).split('\n')[0]!.slice(bad.file.length + 1)), [
    '8:70  operators.c.keyed_process.options.step  must be at least 1, got 0 [E_CONFIG_INVALID]',
  ]);
});

void test('a keyed function in a package built for another API is refused, with both versions named', async () => {
  const { loaded, compiled } = await lint('sluice-plugin-kf-old', '{}');
  assert.deepEqual(loaded.issues.map((i) => i.code), ['E_PLUGIN_VERSION']);
  assert.match(loaded.issues[0]!.message, /sluice-plugin-kf-old'@1\.2\.3 requires sluice \^2\.0\.0, but this runtime provides API 0\.1\.0/);
  assert.equal(loaded.registry.get('keyed_function', 'pkg_counter'), undefined);
  assert.ok(compiled.issues.some((i) => i.code === 'E_UNKNOWN_PLUGIN' && i.configPath === 'operators.c.keyed_process.function'));
});

void test('lint names the installed package of a keyed function the pipeline does not load', async () => {
  const project = mkdtempSync(join(tmpdir(), 'sluice-kf-project-'));
  mkdirSync(join(project, 'node_modules'));
  pkg(join(project, 'node_modules'), 'sluice-plugin-kf', '^0.1.0');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'p', dependencies: { 'sluice-plugin-kf': '1.2.3' } }, null, 1));
  const file = join(project, 'p.yaml');
  writeFileSync(file, pipeline('sluice-plugin-kf', '{}').replace('plugins: [./sluice-plugin-kf]\n', ''));
  const loaded = await registryForPipelines([file], { cwd: project });
  const issues = await explainUnknownPlugins(compilePipeline({ file, env: {}, plugins: loaded.registry }).issues, [file], project);
  assert.deepEqual(issues.map((i) => [i.code, i.message, i.hint]), [[
    'E_UNKNOWN_PLUGIN',
    'unknown keyed_function plugin "pkg_counter": the installed package sluice-plugin-kf provides it, but the pipeline does not load it; add it under plugins:',
    'plugins: [sluice-plugin-kf]   # at the top of the pipeline file',
  ]]);
});
