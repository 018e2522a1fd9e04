/**
 * Mini-batch compaction of upsert outputs (core/runtime/engine/held-output.ts): fewer records
 * downstream, the same table when applied by key, the watermark held with held changes, and
 * nothing held back across a checkpoint (flushed before an aligned one's sink positions, into
 * the queues an unaligned one stores) or the end of the stream.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceChunk } from '../../core/api/index.ts';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { readCheckpoint } from '../../core/runtime/checkpoint/snapshot-io.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import { inFlightOf } from '../../core/runtime/engine/in-flight.ts';
import { MemoryStateBackend } from '../../core/runtime/state/memory-backend.ts';
import type { EngineOptions, RunningJob } from '../../core/runtime/engine/index.ts';
import { collection, compileYaml, resetFixtures, scripts } from './fixtures.ts';
import type { Collected } from './fixtures.ts';
import { lateMarker, runningSum } from './test-operators.ts';

beforeEach(resetFixtures);

// `sums` is an upsert stream; `judge` marks anything that reaches it behind its watermark.
const PIPELINE = `
name: sums
sources:
  s:
    scripted: { script: s }
    event_time: { field: ts, max_out_of_orderness: 0ms }
operators:
  sums:
    input: s
    running_sum: { key: k }
  judge:
    input: sums
    late_marker: {}
sinks:
  out:
    input: judge
    collect: { name: out }
late: { collect: { name: late } }
dead_letter: { collect: { name: dead } }
`;

/** 30 polls of 20 records over 5 keys, in time order; key k3 is deleted now and then. */
function steps(): SourceChunk[][] {
  const out: SourceChunk[][] = [];
  let ts = 0;
  for (let p = 0; p < 30; p++) {
    const values = [];
    for (let i = 0; i < 20; i++) {
      ts += 1;
      values.push({ k: `k${i % 5}`, v: p * 20 + i, ts, ...(p % 7 === 6 && i === 3 ? { drop: true } : {}) });
    }
    out.push([{ partition: 0, values }]);
  }
  return out;
}

/** The table a consumer builds by applying the collected changes by key. */
function applied(c: Collected): Map<string, unknown> {
  const table = new Map<string, unknown>();
  for (const r of c.rows) {
    const k = r.value.k as string;
    if (r.kind === 'delete') {
      assert.ok(table.has(k), `delete of ${k} follows its insert`);
      table.delete(k);
    } else {
      assert.equal(r.kind === 'insert', !table.has(k), `${r.kind} of ${k} fits the table`);
      table.set(k, r.value);
    }
  }
  return table;
}

async function run(options: EngineOptions): Promise<{ table: Map<string, unknown>; records: number; late: number }> {
  resetFixtures();
  scripts.set('s', { steps: steps() });
  const r = await runJob(compileYaml(PIPELINE, [runningSum, lateMarker]), { checkpoint: { store: null }, ...options });
  assert.equal(r.status, 'finished');
  return { table: applied(collection('out')), records: collection('out').rows.length, late: collection('late').rows.length };
}

void test('compacted upserts reach the sink as fewer records and apply to the same table', async () => {
  const plain = await run({ miniBatch: { maxRows: 0 } });
  const compacted = await run({ miniBatch: { maxRows: 10_000, maxDelayMs: 60_000 } });
  assert.equal(plain.records, 600, 'one change per record without compaction');
  assert.ok(compacted.records < 60, `compacted: ${compacted.records} records`);
  assert.deepEqual(compacted.table, plain.table);
  assert.equal(plain.late, 0);
  assert.equal(compacted.late, 0, 'held changes never reach the next operator behind its watermark');
});

void test('max_rows bounds how many distinct keys are held', async () => {
  const small = await run({ miniBatch: { maxRows: 2, maxDelayMs: 60_000 } });
  const plain = await run({ miniBatch: { maxRows: 0 } });
  assert.deepEqual(small.table, plain.table);
  assert.ok(small.records > 100 && small.records < 600, `${small.records} records`);
});

/** Runs until a checkpoint asked for before poll 10 completes; its manifest and the store. */
async function checkpointWithHeldChanges(unaligned: boolean) {
  const store = new MemoryCheckpointStore();
  let job: RunningJob | undefined;
  let taken: (done: Promise<boolean>) => void = () => {};
  const triggered = new Promise<boolean>((resolve) => (taken = resolve));
  scripts.set('s', { steps: steps(), after: 'empty', beforePoll: (k) => void (k === 10 && taken(job!.triggerCheckpoint())) });
  const stop = new AbortController();
  const stopped = runJob(compileYaml(PIPELINE, [runningSum, lateMarker]), {
    signal: stop.signal,
    checkpoint: { store, interval: 0, unaligned },
    miniBatch: { maxRows: 10_000, maxDelayMs: 3_600_000 },
    onStart: (j) => (job = j),
  });
  const completed = await triggered.finally(() => stop.abort());
  assert.equal(completed, true);
  assert.equal((await stopped).status, 'stopped');
  return { store, first: store.manifests.get(1)! };
}

void test('an aligned checkpoint flushes held changes first: its sink position covers them', async () => {
  const { first } = await checkpointWithHeldChanges(false);
  // The sink's position (rows written) when the checkpoint completed includes every key's
  // latest sum as of the source's position: 11 polls (220 records) over 5 keys.
  assert.equal(first.sources.s, 11);
  const table = applied({ ...collection('out'), rows: collection('out').rows.slice(0, first.sinks.out as number) });
  assert.equal(table.size, 5);
  assert.equal((table.get('k0') as { n: number }).n, 44);
});

void test('an unaligned checkpoint flushes held changes into its queues: written and in flight, they cover them', async () => {
  const { store, first } = await checkpointWithHeldChanges(true);
  assert.equal(first.sources.s, 11);
  const entries = await readCheckpoint(store, first, new MemoryStateBackend());
  const inFlight = new Map(inFlightOf(entries));
  const rows = collection('out').rows.slice(0, first.sinks.out as number);
  // Oldest first: what the sink wrote, what `judge` passed on, what `sums` flushed.
  for (const name of ['judge -> out', 'sums -> judge[0]']) {
    for (const item of inFlight.get(name) ?? []) {
      const b = item.batch;
      for (let i = 0; i < (b?.length ?? 0); i++) rows.push({ value: b!.values[i]!, time: b!.times[i]!, kind: b!.kinds?.[i] ?? 'insert' });
    }
  }
  const table = applied({ ...collection('out'), rows });
  assert.equal(table.size, 5);
  // Records the source had read that were still queued before `sums` are in no sum yet.
  const unsummed = (inFlight.get('s -> sums[0]') ?? []).reduce((n, item) => n + (item.batch?.values.filter((v) => v.k === 'k0').length ?? 0), 0);
  assert.equal((table.get('k0') as { n: number }).n, 44 - unsummed);
});
