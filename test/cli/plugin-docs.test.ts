// The committed plugin reference docs (docs/plugins/) must be what the specs render: a spec
// changed without `sluice plugins docs` fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sluice } from './sluice.ts';

void test('sluice plugins docs --check passes against the committed docs', async () => {
  const r = await sluice(['plugins', 'docs', '--check']);
  assert.equal(r.code, 0, `${r.stderr}\nRegenerate with: npx sluice plugins docs`);
  assert.match(r.stderr, /docs\/plugins: \d+ pages up to date/);
});

void test('--check fails on a page that differs, is missing, or names a plugin that is gone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-docs-'));
  const written = await sluice(['plugins', 'docs', '--out', dir]);
  assert.equal(written.code, 0, written.stderr);
  assert.equal((await sluice(['plugins', 'docs', '--out', dir, '--check'])).code, 0);

  const page = join(dir, 'operator-filter.md');
  const original = readFileSync(page, 'utf8');
  writeFileSync(page, original.replace('CEL predicate', 'predicate'));
  const gone = readFileSync(join(dir, 'README.md'), 'utf8');
  writeFileSync(join(dir, 'operator-removed.md'), gone.split('\n')[0] + '\n# an old page\n');
  const drifted = await sluice(['plugins', 'docs', '--out', dir, '--check']);
  assert.equal(drifted.code, 1);
  assert.match(drifted.stderr, /operator-filter\.md: differs from the plugin's spec/);
  assert.match(drifted.stderr, /operator-removed\.md: no such plugin any more/);

  const rewritten = await sluice(['plugins', 'docs', '--out', dir]);
  assert.equal(rewritten.code, 0);
  assert.equal(readFileSync(page, 'utf8'), original);
  assert.equal((await sluice(['plugins', 'docs', '--out', dir, '--check'])).code, 0);
});
