/**
 * The compiled build (dist/) and the sources print the same: the same commands, run once
 * each way through `bin/sluice.mjs`, give the same exit code, stdout and stderr. Covers the
 * built-ins the build imports on demand (lint of every pipeline), a plugin package shipped as
 * TypeScript loaded by the compiled runtime (sluice-plugin-geo), and help and version.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { buildIsFresh } from '../../scripts/build-freshness.mjs';
import { REPO, sluice } from './sluice.ts';

before(() => {
  // `npm test` builds first; a single file run after an edit builds here.
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale', '--quiet'], { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(buildIsFresh(), 'dist/ is fresh after the build');
});

const pipelines = (dir: string): string[] => readdirSync(`${REPO}${dir}`).filter((f) => /\.ya?ml$/.test(f)).map((f) => `${dir}/${f}`);

const COMMANDS: readonly (readonly string[])[] = [
  ['--help'],
  ['--version'],
  ['lint', '--help'],
  ['lint', ...pipelines('pipelines'), ...pipelines('test/lint/fixtures')],
  ['plugins', 'list', '--pipeline', 'test/plugins/fixtures/pipelines/geo.yaml'],
  ['graph', 'pipelines/experiment_analytics.yaml'],
  ['config', '--json'],
  ['no-such-command'],
];

for (const args of COMMANDS) {
  void test(`sluice ${args.slice(0, 3).join(' ')}${args.length > 3 ? ' …' : ''}: compiled and from source alike`, async () => {
    const [compiled, source] = await Promise.all([sluice(args), sluice(args, { env: { SLUICE_FROM_SOURCE: '1' } })]);
    assert.equal(compiled.code, source.code);
    assert.equal(compiled.stdout, source.stdout);
    assert.equal(compiled.stderr, source.stderr);
    assert.ok(compiled.stdout.length + compiled.stderr.length > 0);
  });
}
