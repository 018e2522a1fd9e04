/**
 * `sluice run` on an input that never ends (a followed file) stops gracefully on SIGTERM:
 * the sources stop, the graph drains, a checkpoint is taken, what end of input fires fires
 * (the dedupe's pending state does not matter; every record admitted reaches the output),
 * and the process exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = new URL('../../', import.meta.url).pathname;

void test('SIGTERM: drain, checkpoint, flush, close, exit 0', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-term-'));
  try {
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ n: i, ts: 1_700_000_000_000 + i }));
    writeFileSync(join(dir, 'in.jsonl'), lines.join('\n') + '\n');
    writeFileSync(
      join(dir, 'p.yaml'),
      `
name: follow
sources:
  events:
    file: { path: ${join(dir, 'in.jsonl')}, follow: true }
    event_time: { field: ts, max_out_of_orderness: 0s }
operators:
  even:
    input: events
    filter: { where: "n % 2 == 0" }
sinks:
  out:
    input: even
    file: { path: ${join(dir, 'out.jsonl')} }
`,
    );
    const { NODE_ENV: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, [join(ROOT, 'bin/sluice.mjs'), 'run', join(dir, 'p.yaml'), '--set', `job.state_dir=${join(dir, 'state')}`, '--set', 'checkpoint.interval=50ms', '--set', 'log.level=info'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    });
    const messages: string[] = [];
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    createInterface({ input: child.stderr! }).on('line', (text) => {
      messages.push(text);
      if (/"checkpoint 2 complete"/.test(text)) child.kill('SIGTERM');
    });
    assert.equal(await exit, 0, messages.join('\n'));
    assert.ok(messages.some((m) => /"stopping: shutdown signal"/.test(m)));
    assert.ok(messages.some((m) => /"kind":"shutdown"/.test(m)), 'a shutdown checkpoint was taken');
    assert.ok(messages.some((m) => /job follow stopped: 5000 records in/.test(m)));
    const out = readFileSync(join(dir, 'out.jsonl'), 'utf8').split('\n').filter(Boolean);
    assert.equal(out.length, 2500);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
