// Loading plugin packages named under a pipeline's `plugins:`: the example third-party
// package by name, and every way a package can be refused, each coded and located at its
// entry's line. The fixtures are folders, so these loads allow plugin paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { RecordError, SluiceError } from '../../core/api/index.ts';
import type { SinkDefinition } from '../../core/api/index.ts';
import { compilePipeline, formatIssue } from '../../core/runtime/graph/index.ts';
import { issueError, registryForPipelines } from '../../core/runtime/plugins/index.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const pipelines = join(repo, 'test/plugins/fixtures/pipelines');
const geoFile = 'test/plugins/fixtures/pipelines/geo.yaml';
const brokenFile = 'test/plugins/fixtures/pipelines/broken-packages.yaml';

void test('a pipeline listing sluice-plugin-geo compiles with geo_lookup, loaded by package name', async () => {
  const { registry, issues } = await registryForPipelines([geoFile], { cwd: repo });
  assert.deepEqual(issues, []);
  const entry = registry.entry('operator', 'geo_lookup');
  assert.equal(entry?.package, 'sluice-plugin-geo');
  assert.equal(entry?.version, '0.1.0');

  const result = compilePipeline({ file: join(repo, geoFile), env: {}, plugins: registry });
  assert.deepEqual(result.issues.filter((i) => i.severity === 'error').map(formatIssue), []);
  const op = result.pipeline?.operators.find((o) => o.id === 'located');
  assert.equal(op?.plugin.name, 'geo_lookup');
  assert.equal((op?.config as { into: string }).into, 'country');
  assert.deepEqual(result.pipeline?.packages, ['sluice-plugin-geo']);
});

void test('without the package, the geo_lookup block is an unknown plugin', async () => {
  const { registry } = await registryForPipelines([], { cwd: repo });
  assert.equal(registry.get('operator', 'geo_lookup'), undefined);
  const result = compilePipeline({ file: join(repo, geoFile), env: {}, plugins: registry });
  assert.ok(result.issues.some((i) => i.code === 'E_UNKNOWN_PLUGIN'));
});

void test('each refused package gives its coded error at its line under plugins:', async () => {
  const { issues } = await registryForPipelines([brokenFile], { cwd: repo, allowPluginPath: true });
  const byLine = issues.map((i) => [i.line, i.col, i.code, i.configPath, i.file]);
  assert.deepEqual(byLine, [
    [3, 5, 'E_PLUGIN_NOT_FOUND', 'plugins[0]', brokenFile],
    [4, 5, 'E_PLUGIN_VERSION', 'plugins[1]', brokenFile],
    [5, 5, 'E_PLUGIN_INVALID', 'plugins[2]', brokenFile],
    [6, 5, 'E_PLUGIN_CLASH', 'plugins[3]', brokenFile],
    [7, 5, 'E_PLUGIN_INIT', 'plugins[4]', brokenFile],
    [8, 5, 'E_PLUGIN_INVALID', 'plugins[5]', brokenFile],
  ]);
  const text = issues.map(formatIssue).join('\n');
  assert.match(text, /sluice-plugin-does-not-exist' is not installed/);
  assert.match(text, /requires sluice \^9\.0\.0, but this runtime provides API 0\.1\.0/);
  assert.match(text, /not a Sluice plugin package/);
  assert.match(text, /operator 'filter' \(package sluice-plugin-clash@0\.1\.0\) clashes with operator 'filter' \(built-in, plugins\/operator-filter\/index\.ts\)/);
  assert.match(text, /threw while loading: cannot reach the license server/);
  assert.match(text, /exports no plugin made by definePlugin/);
});

void test('a package built for another API version is never run', async () => {
  await registryForPipelines([brokenFile], { cwd: repo, allowPluginPath: true });
  assert.equal((globalThis as { __sluiceOldApiRan?: boolean }).__sluiceOldApiRan, undefined);
});

void test('a loading issue becomes a coded error naming the pipeline file and line', async () => {
  const { issues } = await registryForPipelines([brokenFile], { cwd: repo, allowPluginPath: true });
  const missing = issueError(issues[0]!);
  assert.ok(missing instanceof SluiceError);
  assert.equal(missing.code, 'E_PLUGIN_NOT_FOUND');
  assert.match(missing.message, /\(test\/plugins\/fixtures\/pipelines\/broken-packages\.yaml:3:5, plugins\[0\]\)$/);
  const version = issueError(issues[1]!);
  assert.equal(version.code, 'E_PLUGIN_VERSION');
  assert.match(version.message, /broken-packages\.yaml:4:5/);
});

void test('packages resolve from the pipeline folder whatever the working directory', async () => {
  const { issues } = await registryForPipelines([join(pipelines, 'broken-packages.yaml')], { cwd: '/', allowPluginPath: true });
  assert.equal(issues[1]?.code, 'E_PLUGIN_VERSION');
});

void test('a plugin package shares this runtime\'s API instance (sluice/api is bound by the loader)', async () => {
  const { registry, issues } = await registryForPipelines(['test/plugins/fixtures/pipelines/probe.yaml'], { cwd: repo, allowPluginPath: true });
  assert.deepEqual(issues, []);
  const probe = registry.get('sink', 'probe') as SinkDefinition;
  assert.throws(() => probe.create({} as never), (error: unknown) => error instanceof RecordError && error.reason === 'probe');
});

void test('outside any project with sluice installed, the loader still binds sluice/api to this runtime', async () => {
  // Nothing above this folder has node_modules/sluice: only the loader's resolve hook can
  // make the package's `import ... from 'sluice/api'` work.
  const dir = mkdtempSync(join(tmpdir(), 'sluice-hook-'));
  cpSync(join(repo, 'test/plugins/fixtures/packages/probe'), join(dir, 'probe'), { recursive: true });
  writeFileSync(join(dir, 'p.yaml'), 'name: p\nplugins: [./probe]\n');
  const { registry, issues } = await registryForPipelines([join(dir, 'p.yaml')], { cwd: dir, allowPluginPath: true });
  assert.deepEqual(issues, []);
  const probe = registry.get('sink', 'probe') as SinkDefinition;
  assert.throws(() => probe.create({} as never), (error: unknown) => error instanceof RecordError);
});
