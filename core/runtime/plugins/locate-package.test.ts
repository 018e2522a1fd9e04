import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPathEntry, locatePackage, packageEntry } from './locate-package.ts';

function pkg(root: string, dir: string, json: object, files: string[] = []): string {
  const at = join(root, dir);
  mkdirSync(at, { recursive: true });
  writeFileSync(join(at, 'package.json'), JSON.stringify(json));
  for (const f of files) {
    mkdirSync(join(at, f, '..'), { recursive: true });
    writeFileSync(join(at, f), '');
  }
  return at;
}

void test('packages are found in node_modules walking up, or at a relative path', () => {
  const root = mkdtempSync(join(tmpdir(), 'sluice-locate-'));
  const found = pkg(root, 'node_modules/@acme/sluice-plugin-x', { name: '@acme/sluice-plugin-x' });
  mkdirSync(join(root, 'a/b/c'), { recursive: true });
  const searched: string[] = [];
  assert.equal(locatePackage('@acme/sluice-plugin-x', [join(root, 'a/b/c')], root, searched), found);
  assert.deepEqual(searched.slice(0, 4), ['a/b/c', 'a/b', 'a', ''].map((d) => join(root, d, 'node_modules')));
  assert.equal(locatePackage('nope', [join(root, 'a')], root), undefined);
  const local = pkg(root, 'local/p', { name: 'p' });
  assert.ok(isPathEntry('./p') && isPathEntry('../p') && !isPathEntry('p'));
  assert.equal(locatePackage('../local/p', [], join(root, 'a')), local);
});

void test('the ESM entry comes from exports conditions in written order, else main', () => {
  const root = mkdtempSync(join(tmpdir(), 'sluice-entry-'));
  const files = ['esm.js', 'cjs.cjs', 'main.js', 'index.js'];
  const cases: [object, string | undefined][] = [
    [{ exports: './esm.js' }, 'esm.js'],
    [{ exports: { '.': { require: './cjs.cjs', import: './esm.js' }, './x': './x.js' } }, 'esm.js'],
    [{ exports: { node: { import: './esm.js' }, default: './main.js' } }, 'esm.js'],
    [{ exports: { '.': [{ require: './cjs.cjs' }, './main.js'] } }, 'main.js'],
    [{ exports: { '.': { require: './cjs.cjs' } } }, undefined],
    [{ main: 'main.js' }, 'main.js'],
    [{}, 'index.js'],
  ];
  cases.forEach(([json, expected], i) => {
    const dir = pkg(root, `p${i}`, json, files);
    const entry = packageEntry(dir, json);
    assert.equal(entry, expected && join(dir, expected), JSON.stringify(json));
  });
});
