/**
 * Issue 12: `sluice lint` imported and ran any path a pipeline named under `plugins:`
 * (`/abs/x`, `./x`, `x/../../…`) before reporting anything. Now an entry must be a valid
 * npm package name, resolved in `node_modules`; a path is refused (E_PLUGIN_PATH) unless
 * the command line says `--allow-plugin-path`, and nothing of a refused entry is run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sluice } from '../cli/sluice.ts';

/** A folder with a package that writes `ran-<name>` into the folder when imported. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-plugin-path-'));
  const pkg = (folder: string, name: string): void => {
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'package.json'),
      JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.js', sluice: { role: 'plugin' }, peerDependencies: { sluice: '*' } }),
    );
    writeFileSync(join(folder, 'index.js'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(join(dir, `ran-${name}`))}, 'x');\n`);
  };
  pkg(join(dir, 'evil'), 'evil');
  pkg(join(dir, 'elsewhere', 'escape'), 'escape');
  mkdirSync(join(dir, 'node_modules'));
  return dir;
}

const pipeline = (entry: string): string => `name: p\nplugins: [${JSON.stringify(entry)}]\nsources:\n  s: { generator: { count: 1, fields: { id: { id: e- } } } }\nsinks:\n  out: { input: s, stdout: {} }\n`;

void test('lint refuses path entries and names that leave node_modules, and runs none of them', async () => {
  const dir = project();
  const entries = ['./evil', join(dir, 'evil'), '../elsewhere/escape', 'x/../../elsewhere/escape', '../../elsewhere/escape'];
  for (const [i, entry] of entries.entries()) {
    writeFileSync(join(dir, `p${i}.yaml`), pipeline(entry));
    const r = await sluice(['lint', `p${i}.yaml`], { cwd: dir });
    assert.equal(r.code, 1, `${entry}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /\[E_PLUGIN_PATH\]/, entry);
  }
  assert.equal(existsSync(join(dir, 'ran-evil')), false, 'the ./evil package was not imported');
  assert.equal(existsSync(join(dir, 'ran-escape')), false, 'the escaping package was not imported');
});

void test('with --allow-plugin-path a path entry is loaded, as before', async () => {
  const dir = project();
  writeFileSync(join(dir, 'p.yaml'), pipeline('./evil'));
  const r = await sluice(['lint', '--allow-plugin-path', 'p.yaml'], { cwd: dir });
  assert.match(r.stdout, /\[E_PLUGIN_INVALID\]/, 'it was loaded: it exports no plugin');
  assert.equal(existsSync(join(dir, 'ran-evil')), true);
});
