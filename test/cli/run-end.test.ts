// What `sluice run` prints when a job ends: records per sink, late and dead-lettered counts;
// on a re-run of a finished batch job, that it had finished and how to start over; after
// Ctrl-C, the command that resumes the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, sluice } from './sluice.ts';

const LINES = [
  '{"kind":"order","id":"o1","ts":1000}',
  '{"kind":"order","id":"o2",ts:2000}', // not JSON: dead-lettered
  '{"kind":"payment","id":"o1","ts":3000}', // filtered out
  '{"kind":"order","id":"o3","ts":9000}',
];

const BATCH = (dir: string): string => `name: orders_end
sources:
  events:
    file: { path: ${join(dir, 'in.jsonl')} }
    event_time: { field: ts, max_out_of_orderness: 1s }
operators:
  orders:
    input: events
    filter: { where: 'kind == "order"' }
sinks:
  out:
    input: orders
    file: { path: ${join(dir, 'out.jsonl')} }
dead_letter: { file: { path: ${join(dir, 'dead.jsonl')} } }
`;

void test('a run ends with records per sink, late and dead-lettered; a re-run says it had finished and how to start over', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-run-end-'));
  try {
    writeFileSync(join(dir, 'in.jsonl'), LINES.join('\n') + '\n');
    writeFileSync(join(dir, 'p.yaml'), BATCH(dir));
    const args = ['run', join(dir, 'p.yaml'), '--set', `job.state_dir=${join(dir, 'state')}`, '--set', 'log.level=warn'];
    const first = await sluice(args);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /^job orders_end finished: 4 records in/m);
    assert.match(first.stderr, /^ {2}sink out: 2 written$/m);
    assert.match(first.stderr, /^ {2}late: 0 \(not written: the pipeline has no late: output\)$/m);
    assert.match(first.stderr, new RegExp(`^ {2}dead-lettered: 1 \\(file ${join(dir, 'dead.jsonl')}\\)$`, 'm'));
    assert.doesNotMatch(first.stderr, /already finished/);

    const again = await sluice(args);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /^job orders_end had already finished: it resumed from checkpoint \d+ \(folder .*\) and found nothing new to read/m);
    const startOver = /^To run it again from the beginning: npx sluice (.*)$/m.exec(again.stderr);
    assert.ok(startOver, again.stderr);
    assert.equal(startOver[1], `${args.join(' ')} --reset-state`);

    const fresh = await sluice([...args, '--reset-state']);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.match(fresh.stderr, /^ {2}sink out: 2 written$/m);
    assert.doesNotMatch(fresh.stderr, /already finished/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('Ctrl-C prints the command that resumes the run, and that command resumes it', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-run-stop-'));
  try {
    writeFileSync(
      join(dir, 'p.yaml'),
      `name: gen_stop
sources:
  gen:
    generator: { seed: 1, rate: 500, fields: { n: { int: [1, 10] } } }
sinks:
  out:
    input: gen
    file: { path: ${join(dir, 'out.jsonl')} }
`,
    );
    const args = ['run', join(dir, 'p.yaml'), '--set', `job.state_dir=${join(dir, 'state')}`, '--set', 'checkpoint.interval=500ms', '--set', 'log.level=info'];
    const child = spawn(process.execPath, [`${REPO}bin/sluice.mjs`, ...args], { cwd: REPO, env: { PATH: process.env.PATH ?? '' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/checkpoint 1 complete/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /^job gen_stop stopped: /m);
    const resume = /^stopped; resume from the last checkpoint with:\n {2}npx sluice (.*)$/m.exec(stderr);
    assert.ok(resume, stderr);
    assert.equal(resume[1], args.join(' '));
    // The printed command, with --events to end it, resumes from the checkpoint.
    const resumed = await sluice([...args.slice(0, -2), '--set', 'log.level=info', '--events', '1']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /"restoring checkpoint \d+ from folder /);
    const before = Number(/^job gen_stop stopped: (\d+) records in/m.exec(stderr)![1]);
    assert.match(resumed.stderr, new RegExp(`^job gen_stop stopped: ${before} records in`, 'm'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
