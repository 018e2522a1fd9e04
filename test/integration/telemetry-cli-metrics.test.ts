/**
 * `sluice run` serves `/metrics` and `/ready` on `metrics.host`/`metrics.port` from the
 * runtime config (here `--set metrics.port=<a free port>`): ready while the job runs, its
 * counters on the endpoint, and the process still exits 0 on SIGTERM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../cli/sluice.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function get(url: string): Promise<{ status: number; text: string } | undefined> {
  try {
    const res = await fetch(url);
    return { status: res.status, text: await res.text() };
  } catch {
    return undefined;
  }
}

void test('sluice run serves /metrics and /ready from metrics.port', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-metrics-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'p.yaml'),
    `name: cli_metrics
sources:
  gen:
    generator:
      rate: 2000
      fields: { n: { int: [1, 100] }, ts: { sequence: { start: 0, step: 1 } } }
    event_time: { field: ts, max_out_of_orderness: 0s }
operators:
  keep:
    input: gen
    filter: { where: "n > 50" }
sinks:
  out:
    input: keep
    file: { path: ${join(dir, 'out.jsonl')} }
`,
  );
  const child = spawn(process.execPath, [`${REPO}bin/sluice.mjs`, 'run', join(dir, 'p.yaml'), '--set', `metrics.port=${port}`, '--set', `job.state_dir=${join(dir, 'state')}`], {
    cwd: REPO,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    let metrics: string | undefined;
    for (let i = 0; i < 300 && metrics === undefined; i++) {
      const ready = await get(`http://127.0.0.1:${port}/ready`);
      if (ready?.status === 200) {
        const m = await get(`http://127.0.0.1:${port}/metrics`);
        if (m && /sluice_records_out_total\{[^}]*operator="out"[^}]*\} [1-9]/.test(m.text)) metrics = m.text;
      }
      if (metrics === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(metrics, `no ready /metrics with records written on port ${port}; stderr:\n${stderr}`);
    assert.match(metrics, /sluice_records_in_total\{[^}]*operator="gen"/);
    assert.match(metrics, /sluice_records_in_total\{[^}]*operator="keep"/);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.equal(await get(`http://127.0.0.1:${port}/ready`), undefined, 'the endpoint is gone with the job');
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
