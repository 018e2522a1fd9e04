/**
 * The compiled build and the bin's choice between it and the sources
 * (scripts/build-freshness.mjs, bin/sluice.mjs): a build is run only while no source is
 * newer than it, so a source edit is never shadowed by old compiled code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildIsFresh, staleInput } from '../../scripts/build-freshness.mjs';
import { REPO } from './sluice.ts';

/** A checkout in miniature: the real bin and freshness check, a `main` in source and in dist/ that say which they are. */
function miniCheckout(): string {
  const root = mkdtempSync(join(tmpdir(), 'sluice-build-'));
  const write = (rel: string, text: string): void => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'scripts'));
  copyFileSync(join(REPO, 'bin/sluice.mjs'), join(root, 'bin/sluice.mjs'));
  copyFileSync(join(REPO, 'scripts/build-freshness.mjs'), join(root, 'scripts/build-freshness.mjs'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  write('package.json', '{"type": "module"}\n');
  const main = (said: string): string => `export async function main(argv: string[]): Promise<number> { console.log('${said}', argv.join(' ')); return 0; }\n`;
  write('core/cli/main.ts', main('source'));
  write('plugins/sink-x/index.ts', 'export {};\n');
  write('config/default.yaml', 'a: 1\n');
  write('dist/core/cli/main.js', main('compiled').replace(/: string\[\]|: Promise<number>/g, ''));
  // Sources older than the build, as after `npm run build`.
  const past = new Date(Date.now() - 60_000);
  for (const rel of ['core/cli/main.ts', 'core/cli', 'core', 'plugins/sink-x/index.ts', 'plugins/sink-x', 'plugins', 'config/default.yaml', 'config']) utimesSync(join(root, rel), past, past);
  write('dist/build-stamp.json', JSON.stringify({ startedAt: Date.now() - 1000 }));
  return root;
}

function runBin(root: string, env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, [join(root, 'bin/sluice.mjs'), 'hello'], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

void test('a fresh build runs compiled; an edited, added or removed source, or no stamp, runs the sources', () => {
  const root = miniCheckout();
  try {
    assert.equal(staleInput(root), undefined);
    assert.equal(runBin(root), 'compiled hello');
    assert.equal(runBin(root, { SLUICE_FROM_SOURCE: '1' }), 'source hello', 'SLUICE_FROM_SOURCE=1 forces the sources');

    utimesSync(join(root, 'core/cli/main.ts'), new Date(), new Date()); // an edit
    assert.equal(staleInput(root), join(root, 'core/cli/main.ts'));
    assert.equal(runBin(root), 'source hello');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  for (const change of [
    (root: string) => writeFileSync(join(root, 'plugins/sink-x/extra.ts'), 'export {};\n'),
    (root: string) => rmSync(join(root, 'plugins/sink-x/index.ts')),
    (root: string) => writeFileSync(join(root, 'config/default.yaml'), 'a: 2\n'),
    (root: string) => rmSync(join(root, 'dist/build-stamp.json')),
  ]) {
    const root = miniCheckout();
    try {
      change(root);
      assert.equal(buildIsFresh(root), false, String(change));
      assert.equal(runBin(root), 'source hello', String(change));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
});

void test('an installed package (dist/ without sources) runs compiled', () => {
  const root = miniCheckout();
  try {
    for (const dir of ['core', 'plugins', 'config']) rmSync(join(root, dir), { recursive: true });
    assert.equal(runBin(root), 'compiled hello');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
