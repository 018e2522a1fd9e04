/**
 * Issue 11, item 1: Sluice installs and builds like any other package. In a temporary
 * folder, outside the repository: pack Sluice; create the plugin package that
 * docs/plugin-authoring.md writes out (its files are taken from the page), depending on the
 * packed tarball; build it with plain `tsc` and `declaration: true`, run its test, pack it;
 * create the page's pipeline project depending on both tarballs, and there lint, run and
 * `sluice test` the pipeline that uses the plugin — with the installed package's own
 * `sluice` command, and no tsx installed. A plugin whose API range does not match is
 * refused with both versions named.
 *
 * npm installs local tarballs, and their dependencies from npm's cache where it has them
 * (`--prefer-offline`: after `npm ci` the cache holds nearly all of them; a newer release
 * of a sub-dependency than the cache knows comes from the registry). `--ignore-scripts`: no install script runs
 * (better-sqlite3's native build takes minutes, and this pipeline does not use SQLite).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO, sluice } from '../cli/sluice.ts';
import { docFiles } from './doc-files.ts';

const SLUICE_TGZ = `sluice-${JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version}.tgz`;
const NPM_OFFLINE = ['--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];

/** Runs a command in `cwd`; fails the test with its output when it fails. */
function run(cwd: string, cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
  const hint = /ENOTCACHED/.test(output) ? '\n(npm could not find a dependency in its cache: run `npm ci` first)' : '';
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} in ${cwd} failed:\n${output}${hint}`);
  return r.stdout;
}

/** `npm pack` in `dir` into `into`: the tarball's name and the files it holds. */
function pack(dir: string, into: string): { file: string; files: string[] } {
  const [info] = JSON.parse(run(dir, 'npm', ['pack', '--json', '--loglevel=error', '--pack-destination', into])) as { filename: string; files: { path: string }[] }[];
  return { file: info!.filename, files: info!.files.map((f) => f.path) };
}

void test('a plugin package and a pipeline project made as docs/plugin-authoring.md says, outside the repository', { timeout: 600_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'sluice-out-of-tree-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const plugin = join(work, 'sluice-plugin-shout');
  const project = join(work, 'my-pipelines');
  const files = docFiles(join(REPO, 'docs/plugin-authoring.md'));
  for (const [path, body] of files) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), body);
  }
  assert.ok(files.has('sluice-plugin-shout/package.json') && files.has('my-pipelines/greetings.yaml'), 'the page writes out both projects');

  await t.test('npm pack: compiled JavaScript, .d.ts of sluice/api and sluice/testing, the bin; no TypeScript sources', () => {
    const { file, files: packed } = pack(REPO, work);
    assert.equal(file, SLUICE_TGZ, 'the tarball the page names');
    for (const f of ['bin/sluice.mjs', 'dist/core/api/index.js', 'dist/core/api/index.d.ts', 'dist/core/testing/index.js', 'dist/core/testing/index.d.ts', 'dist/core/cli/main.js']) {
      assert.ok(packed.includes(f), `${f} is in the tarball`);
    }
    assert.deepEqual(packed.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), [], 'no .ts source is shipped');
  });

  await t.test('the plugin installs, builds with plain tsc and declaration: true, passes its test, packs', () => {
    run(plugin, 'npm', ['install', ...NPM_OFFLINE]);
    run(plugin, process.execPath, [join(plugin, 'node_modules/typescript/bin/tsc'), '-p', plugin]);
    assert.match(readFileSync(join(plugin, 'dist/shout.d.ts'), 'utf8'), /export declare const shout: .*"sluice\/api"/, 'declarations name the API types');
    run(plugin, 'npm', ['test']);
    const { files: packed } = pack(plugin, plugin);
    assert.deepEqual(packed.sort(), ['dist/index.d.ts', 'dist/index.js', 'dist/shout.d.ts', 'dist/shout.js', 'package.json']);
  });

  const bin = join(project, 'node_modules/sluice/bin/sluice.mjs');
  await t.test('the pipeline project installs both tarballs; the installed sluice needs no tsx', () => {
    run(project, 'npm', ['install', ...NPM_OFFLINE]);
    assert.ok(existsSync(bin));
    // tsx is only for plugin packages that ship .ts; this one ships JavaScript.
    rmSync(join(project, 'node_modules/tsx'), { recursive: true, force: true });
  });

  await t.test('sluice lint, run and test the pipeline that uses the plugin', async () => {
    const lint = await sluice(['lint', 'greetings.yaml'], { cwd: project, bin });
    assert.equal(lint.code, 0, `${lint.stdout}${lint.stderr}`);
    const listed = await sluice(['plugins', 'list', '--pipeline', 'greetings.yaml'], { cwd: project, bin });
    assert.match(listed.stdout, /shout.*sluice-plugin-shout/, listed.stdout + listed.stderr);

    const ran = await sluice(['run', 'greetings.yaml'], { cwd: project, bin });
    assert.equal(ran.code, 0, `${ran.stdout}${ran.stderr}`);
    const lines = (f: string): unknown[] => readFileSync(join(project, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(lines('out/greetings.jsonl'), [{ text: 'HELLO' }, { text: 'GOOD NIGHT' }]);
    assert.deepEqual(lines('out/dead_letter.jsonl').map((r) => (r as { reason: string; record: unknown }).record), [{ text: 42 }]);

    const tested = await sluice(['test', 'greetings.test.yaml'], { cwd: project, bin });
    assert.equal(tested.code, 0, `${tested.stdout}${tested.stderr}`);
    assert.match(tested.stdout, /1 passed, 0 failed/);
  });

  await t.test('a plugin built for another API version is refused, naming both versions', async () => {
    // As npm would leave it with --legacy-peer-deps (npm itself refuses the conflicting peer).
    const next = join(project, 'node_modules/sluice-plugin-shout-next');
    cpSync(join(project, 'node_modules/sluice-plugin-shout'), next, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(next, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(next, 'package.json'), JSON.stringify({ ...manifest, name: 'sluice-plugin-shout-next', version: '2.0.0', peerDependencies: { sluice: '^0.2.0' } }));
    const yaml = readFileSync(join(project, 'greetings.yaml'), 'utf8').replace('[sluice-plugin-shout]', '[sluice-plugin-shout-next]');
    writeFileSync(join(project, 'next.yaml'), yaml);
    const r = await sluice(['lint', 'next.yaml'], { cwd: project, bin });
    assert.equal(r.code, 1, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /\[E_PLUGIN_VERSION\]/);
    assert.match(r.stdout, /plugins\[0\] +package 'sluice-plugin-shout-next'@2\.0\.0 requires sluice \^0\.2\.0, but this runtime provides API 0\.1\.0/);
  });
});
