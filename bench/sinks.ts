/**
 * Micro benchmarks of the flagship's tail (issue 9, item 2), each beside its same-run
 * baseline (the code before the change, frozen under `bench/baseline/`, or the plain cel-js
 * evaluator):
 *
 * - `store_sink`: the `embedded_store` sink applying a counts-shaped upsert stream (`keys`
 *   distinct row keys, five qualifiers and the version) in batches of 1024, checkpoint at the end;
 * - `file_sink_provenance`: the `file` sink archiving action records with `envelope: provenance`;
 * - `cel_filter`: the flagship's two filters, `action != "_"` over action records and
 *   `right.ts < left.epoch_end && right.action in left.actions` over joined pairs, alternating.
 *
 * Inputs are built before measuring; `events` counts records written or evaluated.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchBuilder, systemClock } from '../core/api/index.ts';
import type { Batch, ExpressionCompiler, Row, SinkInstance } from '../core/api/index.ts';
import { createExpressionCompiler } from '../core/runtime/expr/index.ts';
import { jsonCodec } from '../core/runtime/codec/index.ts';
import { EmbeddedStoreSink } from '../plugins/sink-embedded-store/sink.ts';
import type { EmbeddedStoreConfig } from '../plugins/sink-embedded-store/spec.ts';
import { FileSink } from '../plugins/sink-file/file-sink.ts';
import { EmbeddedStoreSinkV0 } from './baseline/store-sink-v0.ts';
import { FileSinkV0 } from './baseline/file-sink-v0.ts';
import { jsonCodecV0 } from './baseline/json-codec-v0.ts';
import { Measure } from './measure.ts';
import type { RunResult, ScenarioOptions } from './scenario.ts';

const BATCH = 1024;
const ACTIONS = ['impression', 'click', 'search', 'save', 'share', 'hide'];

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function batches(rows: readonly Row[], kind: 'insert' | 'update' = 'insert', provenance?: (i: number) => object): Batch[] {
  const out: Batch[] = [];
  const b = new BatchBuilder();
  rows.forEach((r, i) => {
    b.push(r, i, kind, provenance?.(i) as never);
    if (b.length === BATCH) out.push(b.take());
  });
  if (b.length) out.push(b.take());
  return out;
}

/** Counts rows as `experiment_counts` emits them: each a fresh object, `keys` distinct row keys. */
function countsRows(events: number, keys: number): Row[] {
  const random = mulberry32(7);
  const rows: Row[] = [];
  for (let i = 0; i < events; i++) {
    const k = Math.floor(random() * keys);
    rows.push({
      experiment_id: `exp_${String(k % 40).padStart(4, '0')}`, epoch_start: 1_767_225_600_000 + 259_200_000 * (k % 3), segment: k % 4,
      group: k % 2 ? 'treatment' : 'control', action: ACTIONS[Math.floor(k / 24) % ACTIONS.length]!,
      volume: i % 997, propensity: i % 13, triggered: null, sum_sq: (i % 997) * 7 + 0.5, watermark_ms: 1_767_225_600_000 + i,
    });
  }
  return rows;
}

function storeConfig(path: string): EmbeddedStoreConfig {
  return {
    path, table: 'experiment_counts', family: 'c', row_key: '{experiment_id}|{epoch_start:13}|{segment}|{action}|{group}',
    columns: { volume: 'volume', propensity: 'propensity', triggered: 'triggered', sum_sq: 'sum_sq', watermark_ms: 'watermark_ms' },
    version_qualifier: 'version', flush_rows: 20_000, flush_interval: 1000,
  };
}

async function timeSink(sink: SinkInstance, input: readonly Batch[], events: number): Promise<RunResult> {
  await sink.open(undefined);
  const m = new Measure();
  m.start();
  for (const b of input) await sink.write(b);
  await sink.checkpoint!();
  const measured = m.stop();
  await sink.close();
  return { ...measured, events, driver: 'micro' };
}

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function storeSink(baseline: boolean) {
  return ({ events, keys }: ScenarioOptions): Promise<RunResult> => inTempDir((dir) => {
    const input = batches(countsRows(events, keys || 5000), 'update');
    const config = storeConfig(join(dir, 'results.sqlite'));
    const expressions = createExpressionCompiler();
    const sink = baseline ? new EmbeddedStoreSinkV0(config, expressions, systemClock) : new EmbeddedStoreSink(config, expressions, systemClock);
    return timeSink(sink, input, events);
  });
}

function actionRows(events: number): Row[] {
  const random = mulberry32(11);
  return Array.from({ length: events }, (_, i) => ({
    event_id: `x-${i}`, user_id: `u${Math.floor(random() * 100_000)}`, action: ACTIONS[Math.floor(random() * ACTIONS.length)]!,
    ts: 1_767_225_600_000 + i * 37, surface: random() < 0.5 ? 'search' : 'home', item_id: `i${Math.floor(random() * 200_000)}`,
  }));
}

export function fileSinkProvenance(baseline: boolean) {
  return ({ events }: ScenarioOptions): Promise<RunResult> => inTempDir(async (dir) => {
    const input = batches(actionRows(events), 'insert', (i) => ({ source: 'traffic', partition: 0, output: 'actions', offset: i }));
    const path = join(dir, 'actions.jsonl');
    const sink = baseline ? new FileSinkV0(path, jsonCodecV0, {}, 'provenance') : new FileSink(path, jsonCodec, {}, 'provenance');
    return timeSink(sink, input, events);
  });
}

/** Joined pairs as `interval_join` emits them: `{left: first trigger, right: projected action}`. */
function joinedRows(count: number): Row[] {
  const random = mulberry32(13);
  const triggers = Array.from({ length: 500 }, (_, i) => ({
    experiment_id: `exp_${i % 40}`, user_id: `u${i}`, group: i % 2 ? 'treatment' : 'control', epoch_start: 1_767_225_600_000,
    epoch_end: 1_767_484_800_000, segment: i % 4,
    // As first_trigger emits it: the experiment's tracked actions, action → direction.
    actions: Object.fromEntries(ACTIONS.slice(1, 2 + (i % 4)).map((a) => [a, 'up_is_good'])),
  }));
  return Array.from({ length: count }, (_, i) => ({
    left: triggers[i % triggers.length]!,
    right: { event_id: `x-${i}`, user_id: `u${i % 500}`, action: ACTIONS[Math.floor(random() * ACTIONS.length)]!, ts: 1_767_225_600_000 + Math.floor(random() * 300_000_000) },
  }));
}

/** Records are cycled from pools of 16,384 (recently made records, as in a batch), so the figure is the evaluation's, not cache misses'. */
const POOL = 16_384;

export function celFilter(baseline: boolean) {
  return ({ events }: ScenarioOptions): Promise<RunResult> => {
    const compiler: ExpressionCompiler = createExpressionCompiler(baseline ? { fastPath: false } : {});
    const actions = actionRows(POOL).map((r, i) => (i % 50 === 0 ? { ...r, action: '_' } : r));
    const pairs = joinedRows(POOL);
    const notUnderscore = compiler.compile('action != "_"', 'record');
    const tracked = compiler.compile('right.ts < left.epoch_end && right.action in left.actions', 'join');
    const m = new Measure();
    m.start();
    let kept = 0;
    for (let i = 0; i < events; i += 2) {
      if (notUnderscore.evaluate(actions[i % POOL]!) === true) kept++;
      if (tracked.evaluate(pairs[i % POOL]!) === true) kept++;
    }
    const measured = m.stop();
    return Promise.resolve({ ...measured, events, records_out: kept, driver: 'micro' });
  };
}
