import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolvesToRuntime } from './api-resolution.ts';

/** A project with `node_modules/sluice` whose exports name `dist/api.js`, and a plugin package inside it. */
function project(exportsApi: unknown): { root: string; plugin: string; api: string } {
  const root = mkdtempSync(join(tmpdir(), 'sluice-api-resolution-'));
  const sluice = join(root, 'node_modules', 'sluice');
  mkdirSync(join(sluice, 'dist'), { recursive: true });
  writeFileSync(join(sluice, 'dist', 'api.js'), '');
  writeFileSync(join(sluice, 'package.json'), JSON.stringify({ name: 'sluice', exports: { './api': exportsApi } }));
  const plugin = join(root, 'node_modules', 'my-plugin');
  mkdirSync(plugin, { recursive: true });
  return { root, plugin, api: join(sluice, 'dist', 'api.js') };
}

void test('a package that resolves sluice/api to the running runtime\'s file needs no hook', () => {
  const p = project({ types: './dist/api.d.ts', default: './dist/api.js' });
  assert.equal(resolvesToRuntime(p.plugin, { 'sluice/api': pathToFileURL(p.api).href }), true);
  // The same file through a symlink (npm's file: links) is the same module.
  const link = join(p.root, 'linked-api.js');
  symlinkSync(p.api, link);
  assert.equal(resolvesToRuntime(p.plugin, { 'sluice/api': pathToFileURL(link).href }), true);
});

void test('another file, an unknown condition, or no sluice installed: the hook is needed', () => {
  const p = project({ default: './dist/api.js' });
  const other = join(p.root, 'other.js');
  writeFileSync(other, '');
  assert.equal(resolvesToRuntime(p.plugin, { 'sluice/api': pathToFileURL(other).href }), false);
  const conditional = project({ 'some-bundler': './dist/api.js' });
  assert.equal(resolvesToRuntime(conditional.plugin, { 'sluice/api': pathToFileURL(conditional.api).href }), false);
  const bare = mkdtempSync(join(tmpdir(), 'sluice-api-resolution-'));
  assert.equal(resolvesToRuntime(bare, { 'sluice/api': pathToFileURL(other).href }), false);
});
