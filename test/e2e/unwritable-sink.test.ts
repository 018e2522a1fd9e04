/**
 * A file sink whose path cannot be created fails the job fast, with a located error and a
 * non-zero exit, instead of spinning (`restart.max_attempts=0`). And a plugin whose `open`
 * never settles (Node's recursive `mkdir` under /proc loops forever) does not hold a stop
 * signal hostage: the attempt fails at once, naming the plugin it waited for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, field } from '../../core/api/index.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import { generatorPlugin } from '../../plugins/source-generator/index.ts';
import { sluice } from '../cli/sluice.ts';
import { compileYaml } from '../engine/fixtures.ts';

void test('sluice run with a file sink under a regular file exits non-zero with the located error', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-unwritable-'));
  try {
    writeFileSync(join(dir, 'afile'), 'not a folder\n');
    writeFileSync(
      join(dir, 'p.yaml'),
      `name: unwritable
sources:
  gen:
    generator:
      fields: { n: { int: [1, 10] } }
sinks:
  out:
    input: gen
    file: { path: ${join(dir, 'afile', 'out.jsonl')} }
`,
    );
    const r = await sluice(['run', join(dir, 'p.yaml'), '--set', 'restart.max_attempts=0', '--set', `job.state_dir=${join(dir, 'state')}`]);
    assert.notEqual(r.code, 0);
    assert.equal(r.code, 3, 'exit code of a failed job (docs/cli.md)');
    assert.match(r.stderr, /error \[E_PLUGIN_INIT\]: failed to init sink 'out' \(.*p\.yaml:7:3, sinks\.out\): .*afile/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a stop while a plugin is still opening fails the attempt at once, naming it', { timeout: 60_000 }, async () => {
  const abort = new AbortController();
  const stuck = definePlugin({
    kind: 'sink',
    name: 'stuck',
    summary: 'Test sink: open never settles.',
    spec: field.object({}),
    create: () => ({
      open: () => {
        setTimeout(() => abort.abort(), 20);
        return new Promise<void>(() => undefined);
      },
      write: () => Promise.resolve(),
      close: () => Promise.resolve(),
    }),
  });
  const pipeline = compileYaml(
    `name: stuck_open
sources:
  gen:
    generator:
      fields: { n: { int: [1, 10] } }
sinks:
  out:
    input: gen
    stuck: {}
`,
    [generatorPlugin, stuck],
  );
  const r = await runJob(pipeline, { signal: abort.signal, restart: { maxAttempts: 3 }, checkpoint: { store: null } });
  assert.equal(r.status, 'failed');
  assert.equal(r.exitCode, 1);
  assert.equal(r.restarts, 0, 'a stopped job does not restart');
  assert.equal(r.error?.code, 'E_PLUGIN_INIT');
  assert.match(r.error!.message, /failed to init sink 'out' \(.*sinks\.out\): the job was stopped while this plugin was still opening/);
});
