/**
 * Effectively-once recovery across `kill -9` (docs/architecture.md §5): `sluice run` reads a large
 * JSONL file (out of order, duplicates, late and malformed lines) through `dedupe` (keyed
 * state with TTL) and `filter` into file outputs. The process is killed with SIGKILL at
 * three points chosen from the job's own progress — each after a checkpoint completed in
 * that run (read from its log) and after the output grew past it (records emitted after
 * the checkpoint) — and restarted each time. The final output, late and dead-letter files
 * must equal those of an uninterrupted run byte for byte: no line lost, none duplicated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = new URL('../../', import.meta.url).pathname;
const LINES = 320_000;

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function writeInput(path: string): Promise<void> {
  const random = mulberry32(42);
  const out = createWriteStream(path);
  let ts = Date.UTC(2024, 0, 1);
  let chunk = '';
  for (let i = 0; i < LINES; i++) {
    ts += 10;
    let line: string;
    if (i % 997 === 13) line = '{"event_id": "broken';
    else {
      let t: number | string = ts - Math.floor(random() * 1500);
      if (i % 501 === 7) t = ts - 60_000; // late for dedupe
      if (i % 1999 === 5) t = 'yesterday'; // bad event time
      const id = i % 50 === 49 ? `e${i - 1}` : `e${i}`; // a duplicate now and then
      line = JSON.stringify({ event_id: id, user: `u${i % 97}`, amount: Math.floor(random() * 300), ts: i % 3 === 0 && typeof t === 'number' ? new Date(t).toISOString() : t });
    }
    chunk += line + '\n';
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((r) => out.once('finish', () => r()));
}

function pipelineYaml(dir: string): string {
  return `
name: kill_test
sources:
  events:
    file: { path: ${join(dir, 'in.jsonl')} }
    event_time: { field: ts, max_out_of_orderness: 2s }
operators:
  unique:
    input: events
    dedupe: { id_field: event_id, out_of_orderness: 2s, allowed_lateness: 1s }
  big:
    input: unique
    filter: { where: "amount >= 100" }
sinks:
  out:
    input: big
    file: { path: ${join(dir, 'out', 'out.jsonl')} }
late: { file: { path: ${join(dir, 'out', 'late.jsonl')} } }
dead_letter: { file: { path: ${join(dir, 'out', 'dead.jsonl')} } }
`;
}

interface Run {
  /** Resolves with the exit code (null when killed). */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly checkpoints: number[];
  readonly restored: number[];
  kill(): void;
}

function startRun(dir: string, file: string, onLine: (line: Record<string, unknown>) => void = () => {}): Run {
  const args = ['run', file, '--set', `job.state_dir=${join(dir, 'state')}`, '--set', 'checkpoint.interval=40ms', '--set', 'engine.batch_size=512', '--set', 'log.level=info'];
  // The embedded default (config/default.yaml): folder checkpoints, system clock.
  const { NODE_ENV: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, [join(ROOT, 'bin/sluice.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env });
  const run: Run = {
    checkpoints: [],
    restored: [],
    exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    kill: () => child.kill('SIGKILL'),
  };
  createInterface({ input: child.stderr! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof line.msg === 'string' && /^checkpoint \d+ complete$/.test(line.msg)) run.checkpoints.push(line.checkpoint as number);
    if (typeof line.msg === 'string' && line.msg.startsWith('restoring checkpoint')) run.restored.push(line.checkpoint as number);
    onLine(line);
  });
  return run;
}

const size = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

const outputs = (dir: string) => ({
  out: readFileSync(join(dir, 'out', 'out.jsonl'), 'utf8'),
  late: readFileSync(join(dir, 'out', 'late.jsonl'), 'utf8'),
  dead: readFileSync(join(dir, 'out', 'dead.jsonl'), 'utf8'),
});

void test('SIGKILL at three progress points, restarted each time: outputs equal an uninterrupted run', { timeout: 240_000 }, async () => {
  const base = mkdtempSync(join(tmpdir(), 'sluice-kill-'));
  try {
    const input = join(base, 'in.jsonl');
    await writeInput(input);

    // The reference: one uninterrupted run.
    const refDir = join(base, 'ref');
    writeFileSync(join(base, 'ref.yaml'), pipelineYaml(base).replaceAll(join(base, 'out'), join(refDir, 'out')));
    const ref = startRun(refDir, join(base, 'ref.yaml'));
    assert.deepEqual(await ref.exit, { code: 0, signal: null });
    const expected = outputs(refDir);
    const totalOut = expected.out.length;
    assert.ok(expected.late.length > 0 && expected.dead.length > 0, 'the input has late and malformed lines');

    // The same job killed at three points, chosen from its progress.
    const dir = join(base, 'killed');
    writeFileSync(join(base, 'killed.yaml'), pipelineYaml(base).replaceAll(join(base, 'out'), join(dir, 'out')));
    const outFile = join(dir, 'out', 'out.jsonl');
    const kills: { atCheckpoint: number; outBytesAtCheckpoint: number; outBytesAtKill: number }[] = [];
    for (let k = 1; k <= 3; k++) {
      const target = (totalOut * k) / 4;
      let sizeAtCheckpoint = -1;
      let lastCheckpoint = -1;
      const run = startRun(dir, join(base, 'killed.yaml'), (line) => {
        if (line.msg && /^checkpoint \d+ complete$/.test(line.msg as string)) {
          lastCheckpoint = line.checkpoint as number;
          sizeAtCheckpoint = size(outFile);
        }
      });
      let killed = false;
      const watch = setInterval(() => {
        const now = size(outFile);
        // Past this kill's share of the output, after a checkpoint of this run, and grown since it.
        if (!killed && lastCheckpoint > 0 && now >= target && now > sizeAtCheckpoint && sizeAtCheckpoint >= 0) {
          killed = true;
          run.kill();
          kills.push({ atCheckpoint: lastCheckpoint, outBytesAtCheckpoint: sizeAtCheckpoint, outBytesAtKill: now });
        }
      }, 2);
      const exit = await run.exit;
      clearInterval(watch);
      assert.equal(exit.signal, 'SIGKILL', `run ${k} was killed (it ended with ${JSON.stringify(exit)} after checkpoints ${run.checkpoints.join(',')})`);
      if (k > 1) assert.ok(run.restored.length === 1, `run ${k} restored a checkpoint`);
      assert.ok(run.checkpoints.length >= 1, `run ${k} completed a checkpoint before the kill`);
    }
    const last = startRun(dir, join(base, 'killed.yaml'));
    assert.deepEqual(await last.exit, { code: 0, signal: null });
    assert.equal(last.restored.length, 1);

    const got = outputs(dir);
    assert.equal(got.out.length, expected.out.length, 'output size');
    assert.ok(got.out === expected.out, 'output equals the uninterrupted run');
    assert.ok(got.late === expected.late, 'late output equals the uninterrupted run');
    assert.ok(got.dead === expected.dead, 'dead-letter output equals the uninterrupted run');
    console.log(JSON.stringify({ totalOut, kills }));
    assert.equal(kills.length, 3);
    for (const kp of kills) assert.ok(kp.outBytesAtKill > kp.outBytesAtCheckpoint, 'records were emitted after the checkpoint');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
