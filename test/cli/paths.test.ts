// Paths in a pipeline: relative text written in the file resolves against the pipeline
// file's folder, wherever `sluice run` is started; a path that starts with a ${VAR} is the
// environment's, relative to the working directory (the flagship's ${RUNS_DIR:-.sluice/runs}).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sluice } from './sluice.ts';

void test('relative paths resolve against the pipeline file; ${VAR} paths against the working directory', { timeout: 60_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'sluice-paths-'));
  try {
    mkdirSync(join(root, 'pipelines'));
    mkdirSync(join(root, 'elsewhere'));
    writeFileSync(join(root, 'pipelines', 'in.jsonl'), '{"n":1}\n{"n":2}\n');
    writeFileSync(
      join(root, 'pipelines', 'p.yaml'),
      `name: paths
sources:
  events:
    file: { path: in.jsonl }
sinks:
  beside:
    input: events
    file: { path: out/beside.jsonl }
  from_env:
    input: events
    file: { path: "\${OUT_DIR:-env-out}/from_env.jsonl" }
`,
    );
    const r = await sluice(['run', '../pipelines/p.yaml', '--set', `job.state_dir=${join(root, 'state')}`, '--set', 'log.level=warn'], { cwd: join(root, 'elsewhere') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(root, 'pipelines', 'out', 'beside.jsonl'), 'utf8').split('\n').filter(Boolean).length, 2);
    assert.ok(existsSync(join(root, 'elsewhere', 'env-out', 'from_env.jsonl')), 'a ${VAR} path is relative to the working directory');
    assert.ok(!existsSync(join(root, 'elsewhere', 'out')), 'nothing written relative to the working directory');
    assert.match(r.stderr, new RegExp(`sink beside: 2 written`));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
