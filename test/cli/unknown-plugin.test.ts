// lint's "unknown plugin" names the installed plugin package that provides it when the
// pipeline's plugins: list lacks it (the repository installs sluice-plugin-geo).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sluice } from './sluice.ts';

const FIXTURE = 'test/cli/fixtures/geo-unloaded.yaml';

void test('lint names the installed package of a plugin the pipeline does not load', async () => {
  const r = await sluice(['lint', FIXTURE]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /geo-unloaded\.yaml:9:5 {2}operators\.located\.geo_lookup {2}unknown operator plugin "geo_lookup": the installed package sluice-plugin-geo provides it, but the pipeline does not load it; add it under plugins: \[E_UNKNOWN_PLUGIN\]/);
  assert.match(r.stdout, /^ {4}plugins: \[sluice-plugin-geo\]/m);
  // run and graph print the same problem.
  const graph = await sluice(['graph', FIXTURE]);
  assert.equal(graph.code, 1);
  assert.match(graph.stderr, /the installed package sluice-plugin-geo provides it/);
});

void test('with the package listed the pipeline lints clean; a plugin no package has keeps the plain message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-unknown-'));
  const listed = join(dir, 'listed.yaml');
  writeFileSync(listed, `plugins: [sluice-plugin-geo]\n${readFileSync(FIXTURE, 'utf8')}`);
  const ok = await sluice(['lint', listed]);
  assert.equal(ok.code, 0, ok.stdout);
  const nowhere = join(dir, 'nowhere.yaml');
  writeFileSync(nowhere, readFileSync(FIXTURE, 'utf8').replace('geo_lookup:', 'geo_lookupp:'));
  const r = await sluice(['lint', nowhere]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /unknown operator plugin "geo_lookupp" \[E_UNKNOWN_PLUGIN\]/);
  assert.doesNotMatch(r.stdout, /installed package/);
});
