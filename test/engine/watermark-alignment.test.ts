/**
 * Watermark alignment through the whole engine. A partition that races ahead of the
 * others (a small file beside a big one covering the same event time; a fast source
 * beside a slow one) brings records that are late within their own partition: with
 * alignment the job's watermark stays within `max_drift` of every partition read, so
 * they are declared late; without it the slow partition holds the job's watermark back
 * and they pass. Files are paused per partition (`pausePartitions`); the scripted source
 * cannot pause partitions, so it is held as a whole.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../core/api/index.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import { createTelemetry } from '../../core/telemetry/index.ts';
import { fileSourcePlugin } from '../../plugins/source-file/index.ts';
import { compileYaml, collection, resetFixtures, scripts } from './fixtures.ts';
import { lateMarker } from './test-operators.ts';

beforeEach(resetFixtures);

const S = 1000;
/** Small-file records inserted this far behind their predecessors. */
const BEHIND = 3000 * S;

/** big: one record a second for 20 000 s; small: one every 100 s, with three records 3000 s behind. */
function writeFiles(): { dir: string; injected: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-align-'));
  const big = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ f: 'big', ts: i * S }));
  const small: string[] = [];
  const injected: number[] = [];
  for (let i = 0; i < 200; i++) {
    small.push(JSON.stringify({ f: 'small', ts: i * 100 * S }));
    if (i > 0 && i % 50 === 0) {
      injected.push(i * 100 * S - BEHIND);
      small.push(JSON.stringify({ f: 'small', ts: i * 100 * S - BEHIND, late: true }));
    }
  }
  writeFileSync(join(dir, 'big.jsonl'), big.join('\n') + '\n');
  writeFileSync(join(dir, 'small.jsonl'), small.join('\n') + '\n');
  return { dir, injected };
}

function filePipeline(dir: string, alignment: boolean) {
  return compileYaml(
    `
name: align_files
sources:
  s:
    file: { path: "${dir}/*.jsonl" }
    event_time: { field: ts, idle_timeout: 1m${alignment ? ', alignment: { max_drift: 100s }' : ''} }
operators:
  judge:
    input: s
    late_marker: {}
sinks:
  out:
    input: judge
    collect: { name: out }
late: { collect: { name: late } }
`,
    [lateMarker, fileSourcePlugin],
  );
}

async function runFiles(dir: string, alignment: boolean) {
  resetFixtures();
  // A manual clock that nobody moves: no partition goes idle, so the run is reproducible.
  const r = await runJob(filePipeline(dir, alignment), { clock: new ManualClock(0), logicalClockStep: 0, idlePollMs: 0, checkpoint: { store: null }, batchSize: 20 });
  assert.equal(r.status, 'finished', r.error?.message);
  const late = collection('late').rows.map((row) => (row.value.record as { ts: number }).ts ?? row.value.ts);
  return { late, out: collection('out').rows.length };
}

void test('files: with alignment every record late within its own file by more than the drift is late; without, none is', async () => {
  const { dir, injected } = writeFiles();
  const off = await runFiles(dir, false);
  assert.deepEqual(off.late, [], 'the small file races ahead: the big one holds the watermark far behind it');
  assert.equal(off.out, 20_000 + 200 + injected.length);
  const on = await runFiles(dir, true);
  assert.deepEqual(on.late.sort((a, b) => a - b), injected);
  assert.equal(on.out, 20_000 + 200);
});

function scriptedPipeline(alignment: boolean) {
  const et = `event_time: { idle_timeout: 1m${alignment ? ', alignment: { max_drift: 1s }' : ''} }`;
  return compileYaml(
    `
name: align_sources
sources:
  fast:
    scripted: { script: fast }
    ${et}
  slow:
    scripted: { script: slow }
    ${et}
operators:
  judge:
    input: [fast, slow]
    late_marker: {}
sinks:
  out:
    input: judge
    collect: { name: out }
late: { collect: { name: late } }
`,
    [lateMarker],
  );
}

type Telemetry = ReturnType<typeof createTelemetry>;

async function runScripted(alignment: boolean, onSlowPoll?: (telemetry: Telemetry, step: number) => Promise<void>) {
  resetFixtures();
  const one = (p: string, t: number) => [{ partition: p, values: [{ t }], times: [t] }];
  const telemetry = createTelemetry({ serviceName: 'align' });
  // fast: 10 s a poll, then a record 50 s behind its predecessor; slow: 1 s a poll.
  scripts.set('fast', { steps: [...Array.from({ length: 10 }, (_, i) => one('f', (i + 1) * 10 * S)), one('f', 50 * S)] });
  scripts.set('slow', { steps: Array.from({ length: 100 }, (_, i) => one('s', (i + 1) * S)), ...(onSlowPoll ? { beforePoll: (k: number) => onSlowPoll(telemetry, k) } : {}) });
  const r = await runJob(scriptedPipeline(alignment), { clock: new ManualClock(0), logicalClockStep: 0, idlePollMs: 0, checkpoint: { store: null }, batchSize: 100, telemetry });
  await telemetry.shutdown();
  assert.equal(r.status, 'finished', r.error?.message);
  return collection('late').rows.map((row) => (row.value.record as { t: number }).t);
}

void test('sources without pausePartitions are held as a whole: the fast source waits for the slow one', async () => {
  assert.deepEqual(await runScripted(false), [], 'without alignment the slow source holds the watermark at a few seconds');
  assert.deepEqual(await runScripted(true), [50 * S]);
});

void test('the gauge sluice_alignment_paused_partitions counts what alignment holds, per source', async () => {
  let seen: Record<string, unknown> | undefined;
  await runScripted(true, async (telemetry, step) => {
    if (step !== 5) return;
    // Slow is about to read its 6th second; fast (10 s and more) is more than 1 s ahead: held.
    const { resourceMetrics } = await telemetry.collectMetrics();
    const gauge = resourceMetrics.scopeMetrics.flatMap((m) => m.metrics).find((m) => m.descriptor.name === 'sluice_alignment_paused_partitions');
    seen = Object.fromEntries((gauge?.dataPoints ?? []).map((d) => [String(d.attributes.operator), d.value]));
  });
  assert.deepEqual(seen, { fast: 1, slow: 0 });
});
