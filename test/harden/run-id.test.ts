/**
 * Issue 12: `RUN_ID` names a folder under the runs folder, so it must be one path segment.
 * `RUN_ID=../../x` used to write a run outside it, overwriting files there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sluice } from '../cli/sluice.ts';

const PIPELINE = `name: runid
sources:
  gen: { generator: { count: 3, fields: { id: { id: e- } } } }
sinks:
  out: { input: gen, file: { path: "runs/\${RUN_ID}/out.jsonl" } }
`;

void test('a RUN_ID that is not one plain path segment is refused before anything runs', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-runid-'));
  mkdirSync(join(cwd, 'a', 'b'), { recursive: true });
  writeFileSync(join(cwd, 'a', 'b', 'p.yaml'), PIPELINE);
  for (const bad of ['../../victim', '../victim', 'x/y', '/abs', '.', '..', 'a\u0000b']) {
    if (bad.includes('\u0000')) continue; // cannot be passed in an environment
    const r = await sluice(['run', 'p.yaml'], { cwd: join(cwd, 'a', 'b'), env: { RUN_ID: bad } });
    assert.equal(r.code, 2, `RUN_ID=${bad}: ${r.stderr}`);
    assert.match(r.stderr, /\[E_USAGE\].*RUN_ID/);
  }
  assert.equal(existsSync(join(cwd, 'victim')), false, 'nothing written outside the runs folder');
  assert.equal(existsSync(join(cwd, 'a', 'victim')), false);
  const ok = await sluice(['run', 'p.yaml'], { cwd: join(cwd, 'a', 'b'), env: { RUN_ID: 'nightly-2026.12.05_1' } });
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(existsSync(join(cwd, 'a', 'b', 'runs', 'nightly-2026.12.05_1', 'out.jsonl')));
});
