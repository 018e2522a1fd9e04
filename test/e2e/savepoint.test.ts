/**
 * Savepoints through the command line, as an operator uses them: `sluice run` a generator
 * pipeline (rate-limited, so it is still running), `sluice savepoint` it while it runs, stop
 * it with SIGTERM, make a harmless change (drop the rate: the pipeline hash changes, a
 * warning only), `sluice run --from-savepoint` — the output equals an uninterrupted run's.
 * Then the refusals: the windowed operator removed → E_SAVEPOINT_MISMATCH, accepted with
 * --allow-dropped-state; and `savepoint list` / `savepoint delete`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO, sluice } from '../cli/sluice.ts';

const pipeline = (out: string, extra: { rate?: number; windowed?: boolean } = {}) => `
name: savepoint_e2e
sources:
  events:
    generator:
      seed: 11
      count: 40000
      ${extra.rate ? `rate: ${extra.rate}` : ''}
      fields:
        user_id: { int: [1, 500] }
        page: { one_of: [home, search, pin, board, profile] }
        kind: { one_of: [view, click] }
        ts: { sequence: { start: "2026-01-01T00:00:00Z", step: 10ms, jitter: 1s } }
    event_time: { field: ts, max_out_of_orderness: 2s }
operators:
  clicks:
    input: events
    filter: { where: 'kind == "click"' }
${
  extra.windowed === false
    ? ''
    : `  per_page:
    input: clicks
    window_aggregate:
      key: page
      window: { tumbling: 1m }
      aggregates: { clicks: count, users: { approx_distinct: user_id } }
`
}sinks:
  out:
    input: ${extra.windowed === false ? 'clicks' : 'per_page'}
    file: { path: ${join(out, 'out.jsonl')} }
late: { file: { path: ${join(out, 'late.jsonl')} } }
dead_letter: { file: { path: ${join(out, 'dead.jsonl')} } }
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

void test('savepoint a running job through the CLI, stop it, change it harmlessly, restore: the uninterrupted results', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-savepoint-'));
  try {
    const file = join(dir, 'p.yaml');
    const state = ['--set', `job.state_dir=${join(dir, 'state')}`];
    // The uninterrupted run, fast.
    writeFileSync(file, pipeline(join(dir, 'ref')));
    const ref = await sluice(['run', file, '--set', `job.state_dir=${join(dir, 'ref-state')}`]);
    assert.equal(ref.code, 0, ref.stderr);
    const expected = lines(join(dir, 'ref', 'out.jsonl'));
    assert.ok(expected.length > 10);

    // The same pipeline at 4,000 records/s (10 s): savepoint it while it runs, then SIGTERM.
    writeFileSync(file, pipeline(join(dir, 'out'), { rate: 4000 }));
    const port = await freePort();
    const endpoint = ['--set', `metrics.port=${port}`];
    const { NODE_ENV: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, [join(REPO, 'bin/sluice.mjs'), 'run', file, ...state, ...endpoint, '--set', 'log.level=info'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'], env });
    const log: string[] = [];
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let running!: () => void;
    const ready = new Promise<void>((resolve) => (running = resolve));
    createInterface({ input: child.stderr! }).on('line', (text) => {
      log.push(text);
      if (/"metrics on http/.test(text)) running();
    });
    await ready;
    await new Promise((r) => setTimeout(r, 1000));
    const taken = await sluice(['savepoint', file, ...endpoint, '--output', 'json']);
    assert.equal(taken.code, 0, taken.stderr);
    const { savepoint, checkpoint } = JSON.parse(taken.stdout) as { savepoint: string; checkpoint: number };
    assert.match(savepoint, /^sp-/);
    child.kill('SIGTERM');
    assert.equal(await exit, 0, log.join('\n'));
    assert.ok(log.some((l) => l.includes(`"savepoint ${savepoint} (checkpoint ${checkpoint}) complete"`)));
    const stoppedAt = /job savepoint_e2e stopped: (\d+) records in/.exec(log.join('\n'));
    assert.ok(stoppedAt && Number(stoppedAt[1]) < 40000, 'the job was stopped mid-input');

    // Harmless change: no rate. The run starts from the savepoint, not from the later shutdown checkpoint.
    writeFileSync(file, pipeline(join(dir, 'out')));
    const restored = await sluice(['run', file, ...state, '--from-savepoint', savepoint]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stderr, new RegExp(`savepoint ${savepoint} was taken of a different pipeline definition`));
    assert.match(restored.stderr, new RegExp(`restoring savepoint ${savepoint} \\(checkpoint ${checkpoint}\\)`));
    assert.deepEqual(lines(join(dir, 'out', 'out.jsonl')), expected);

    // Refused when the windowed operator (with state) is gone; accepted with --allow-dropped-state.
    writeFileSync(file, pipeline(join(dir, 'out'), { windowed: false }));
    const refused = await sluice(['run', file, ...state, '--from-savepoint', savepoint]);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /error \[E_SAVEPOINT_MISMATCH\]: savepoint sp-\S+ does not fit the pipeline: the savepoint holds state of 'per_page'/);
    const dropped = await sluice(['run', file, ...state, '--from-savepoint', savepoint, '--allow-dropped-state']);
    assert.equal(dropped.code, 0, dropped.stderr);
    assert.match(dropped.stderr, /dropping the state of removed operator 'per_page'/);

    // list, delete.
    const listed = await sluice(['savepoint', 'list', file, ...state, '--output', 'json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as { savepoint: string; checkpoint: number }[]).map((r) => [r.savepoint, r.checkpoint]), [[savepoint, checkpoint]]);
    assert.equal((await sluice(['savepoint', 'delete', file, savepoint, ...state])).code, 0);
    const gone = await sluice(['savepoint', 'delete', file, savepoint, ...state]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /error \[E_SAVEPOINT\]: no savepoint/);
    assert.equal((await sluice(['savepoint', 'list', file, ...state])).stdout, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('sluice savepoint without a running job, or without an endpoint, fails clearly', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-savepoint-'));
  try {
    const file = join(dir, 'p.yaml');
    writeFileSync(file, pipeline(join(dir, 'out')));
    const none = await sluice(['savepoint', file, '--endpoint', `127.0.0.1:${await freePort()}`]);
    assert.equal(none.code, 3);
    assert.match(none.stderr, /error \[E_SAVEPOINT\]: no job of savepoint_e2e answered at http:\/\/127\.0\.0\.1:\d+\/savepoints/);
    const off = await sluice(['savepoint', file]);
    assert.equal(off.code, 3);
    assert.match(off.stderr, /the job serves no endpoint \(metrics\.port is 0\)/);
    assert.equal((await sluice(['run', file, '--from-savepoint', 'x', '--reset-state'])).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
