// An error a restart meets again (a missing or replaced input file, E_SOURCE_INPUT) fails
// the job at once instead of after restart.max_attempts restarts with back-off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sluice } from './sluice.ts';

const PIPELINE = (dir: string): string => `name: input_gone
sources:
  events:
    file: { path: ${join(dir, 'in.jsonl')} }
sinks:
  out:
    input: events
    file: { path: ${join(dir, 'out.jsonl')} }
`;

void test('a missing input file fails the job at once, not after three restarts', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-gone-'));
  try {
    writeFileSync(join(dir, 'p.yaml'), PIPELINE(dir));
    // Back-off long enough that a restart would show in the time taken.
    const started = Date.now();
    const r = await sluice(['run', join(dir, 'p.yaml'), '--set', 'restart.max_attempts=3', '--set', 'restart.backoff.initial=20s', '--set', `job.state_dir=${join(dir, 'state')}`]);
    assert.equal(r.code, 3, r.stderr);
    assert.ok(Date.now() - started < 20_000, 'no restart back-off was waited for');
    assert.match(r.stderr, /^job input_gone failed: 0 records in, 0 checkpoints \(0 declined\), 0 restarts$/m);
    assert.match(r.stderr, /not restarting: a restart cannot fix this \[E_SOURCE_INPUT\]/);
    assert.match(r.stderr, /^error \[E_PLUGIN_INIT\]: failed to init source 'events' .*: no such file '.*in\.jsonl'$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('an input file replaced by a shorter one after a checkpoint fails the job at once', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-replaced-'));
  try {
    writeFileSync(join(dir, 'p.yaml'), PIPELINE(dir));
    writeFileSync(join(dir, 'in.jsonl'), '{"n":1}\n{"n":2}\n{"n":3}\n');
    const args = ['run', join(dir, 'p.yaml'), '--set', 'restart.max_attempts=3', '--set', 'restart.backoff.initial=20s', '--set', `job.state_dir=${join(dir, 'state')}`];
    assert.equal((await sluice(args)).code, 0);
    writeFileSync(join(dir, 'in.jsonl'), '{"n":9}\n');
    const r = await sluice(args);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /, 0 restarts$/m);
    assert.match(r.stderr, /is 8 bytes, shorter than the checkpointed offset 24: it was truncated or replaced/);
    assert.match(r.stderr, /\[E_SOURCE_INPUT\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
