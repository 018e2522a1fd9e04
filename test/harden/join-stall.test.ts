/**
 * Issue 12: `interval_join` hung for good once a side exceeded `max_buffered_per_side` with
 * an `upper` so wide the watermark could never free it: input all taken, output stuck, no
 * checkpoint, SIGINT ignored. Now the stall resolves (a blocked input is fed after
 * `stallMs` however often the task is woken) and a side that grows past twice its bound
 * fails the job with a located error naming the setting, in bounded time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../cli/sluice.ts';

const PIPELINE = `name: ij
sources:
  gen:
    generator:
      outputs:
        left: { count: 3000, fields: { k: { int: [1, 10] }, ts: { sequence: { start: 1700000000000, step: 1 } } } }
        right: { count: 3000, fields: { k: { int: [1, 10] }, ts: { sequence: { start: 1700000000000, step: 1 } } } }
    event_time: { field: ts }
operators:
  j:
    input: [gen.left, gen.right]
    interval_join: { key: k, lower: 0s, upper: 3650d, max_buffered_per_side: 1000 }
sinks:
  out: { input: j, null: {} }
`;

/** Runs the pipeline; kills it after `ms` (a hang) and says so. */
function runBounded(cwd: string, ms: number): Promise<{ code: number | null; stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${REPO}bin/sluice.mjs`, 'run', 'p.yaml'], { cwd, env: { PATH: process.env.PATH ?? '' } });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, killed });
    });
  });
}

void test('a join whose buffers cannot be freed fails with a located error instead of hanging', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-join-stall-'));
  writeFileSync(join(cwd, 'p.yaml'), PIPELINE);
  const r = await runBounded(cwd, 45_000);
  assert.equal(r.killed, false, `the job hung:\n${r.stderr.slice(-1500)}`);
  assert.equal(r.code, 3, r.stderr.slice(-1500));
  assert.match(r.stderr, /operator 'j'.*p\.yaml:\d+:\d+.*max_buffered_per_side/);
});
