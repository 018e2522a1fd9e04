#!/usr/bin/env node
// The test command (`npm test`): type-check, lint, then every test file under node's test
// runner, in three stages: the test files two at a time; then files named
// `*.serial.test.ts` (chaos tests that stop a shared service, e.g. the HBase REST server),
// one at a time; then the long statistical suites (`test/long/*.long.ts`: A/A, known
// effect, SRM power through the flagship chain), one at a time. Each file runs in its own
// process; the spec reporter prints per-file durations.
// Tests run the TypeScript sources through tsx, and resolve `sluice/api` and `sluice/testing`
// to those sources too (the `sluice-source` export condition), so a test never sees the
// compiled build. The build is refreshed first (when stale) for the CLI tests, which spawn
// `bin/sluice.mjs`, so they run what `npm start` runs.
// `--unit`: the quick subset (unit tests beside the code; no services, no serial or long suites).
// `--long`: the long suites only.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const unitOnly = process.argv.includes('--unit');
const longOnly = process.argv.includes('--long');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts') || name.endsWith('.long.ts')) out.push(relative(root, path));
  }
  return out;
}

function step(label, cmd, args, env = {}) {
  const started = Date.now();
  console.log(`\n== ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`== ${label}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const roots = ['core', 'plugins', 'lib', 'examples', 'pipelines', 'test'];
let files = roots.flatMap((d) => { try { return findTests(join(root, d)); } catch { return []; } }).sort();
if (unitOnly) files = files.filter((f) => !f.startsWith('test/integration/') && !f.endsWith('.long.ts') && !f.endsWith('.serial.test.ts'));
if (longOnly) files = files.filter((f) => f.endsWith('.long.ts'));
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));

step('build', process.execPath, ['scripts/build.mjs', '--types', '--if-stale']);
if (!filters.length) {
  step('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json']);
  step('lint', 'npx', ['eslint', '.']);
}
// Suites that need the real services bring them up through scripts/services.
if (!unitOnly && files.some((f) => f.startsWith('test/integration/'))) {
  step('services', 'bash', ['scripts/services', 'up']);
}
const NODE_TEST = ['--import', 'tsx', '--conditions=sluice-source', '--test'];
const serial = files.filter((f) => f.endsWith('.serial.test.ts'));
const long = files.filter((f) => f.endsWith('.long.ts'));
const parallel = files.filter((f) => !serial.includes(f) && !long.includes(f));
if (parallel.length) {
  step(`tests (${parallel.length} files)`, process.execPath, [
    ...NODE_TEST, '--test-reporter=spec', '--test-concurrency=2', ...parallel,
  ], { SLUICE_TEST: '1' });
}
if (serial.length) {
  step(`serial tests (${serial.length} files, one at a time)`, process.execPath, [
    ...NODE_TEST, '--test-reporter=spec', '--test-concurrency=1', ...serial,
  ], { SLUICE_TEST: '1' });
}
if (long.length) {
  step(`long suites (${long.length} files, one at a time)`, process.execPath, [
    ...NODE_TEST, '--test-reporter=spec', '--test-concurrency=1', ...long,
  ], { SLUICE_TEST: '1' });
}
