import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BatchBuilder, ManualClock } from '../../core/api/index.ts';
import type { Row } from '../../core/api/index.ts';
import { parseOperatorConfig } from '../../core/testing/index.ts';
import { createExpressionCompiler } from '../../core/runtime/expr/index.ts';
import { EmbeddedStoreSink } from './sink.ts';
import { embeddedStoreSpec } from './spec.ts';
import type { EmbeddedStoreConfig } from './spec.ts';
import { GENERATION_STRIDE } from './table.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-store-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function config(raw: Record<string, unknown> = {}): EmbeddedStoreConfig {
  return parseOperatorConfig({ name: 'embedded_store', spec: embeddedStoreSpec } as never, {
    path: join(dir, `db-${n++}.sqlite`),
    table: 'experiment_counts',
    row_key: '{experiment_id}|{epoch_start:13}|{segment}|{action}|{group}',
    columns: { volume: 'volume', propensity: 'propensity', sum_sq: 'sum_sq' },
    version_qualifier: 'version',
    ...raw,
  }) as EmbeddedStoreConfig;
}

const key = { experiment_id: 'exp_1', epoch_start: 1_700_000_000_000, segment: 0, group: 'control' };
function batch(rows: [Row, ('insert' | 'update' | 'delete')?][]) {
  const b = new BatchBuilder();
  for (const [r, kind] of rows) b.push(r, 0, kind ?? 'insert');
  return b.take();
}
function read(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM experiment_counts ORDER BY row_key').all() as Record<string, string | number | null>[];
  } finally {
    db.close();
  }
}

void test('upserts by row key with decimal text cells; deletes remove; bad rows are rejected', async () => {
  const cfg = config();
  const sink = new EmbeddedStoreSink(cfg, createExpressionCompiler(), new ManualClock());
  await sink.open(undefined);
  const result = await sink.write(batch([
    [{ ...key, action: 'click', volume: 1, propensity: 1, sum_sq: 1 }],
    [{ ...key, action: 'click', volume: 3, propensity: 2, sum_sq: 5 }, 'update'],
    [{ ...key, action: 'save', volume: 1, propensity: 1, sum_sq: 1 }],
    [{ ...key, action: '_', volume: null, propensity: null, sum_sq: null }],
    [{ ...key, action: 'save' }, 'delete'],
    [{ ...key, action: 'hide', epoch_start: undefined, volume: 1 }],
  ]));
  assert.deepEqual(result?.rejected?.map((r) => [r.index, (r.error as { reason: string }).reason]), [[5, 'row_key_error']]);
  await sink.close();
  const rows = read(cfg.path);
  assert.deepEqual(rows.map((r) => [r.row_key, r.volume, r.propensity, r.sum_sq]), [
    ['exp_1|1700000000000|0|_|control', null, null, null],
    ['exp_1|1700000000000|0|click|control', '3', '2', '5'],
  ]);
  assert.ok(rows.every((r) => r.version === String(r._version)), 'the version qualifier holds the cell version');
  const families = new Database(cfg.path, { readonly: true }).prepare('SELECT family, qualifier FROM _sluice_columns ORDER BY qualifier').all();
  assert.deepEqual(families, ['propensity', 'sum_sq', 'version', 'volume'].map((qualifier) => ({ family: 'c', qualifier })));
});

void test('versions grow per row across flushes, checkpoints and restores, with or without a position', async () => {
  const cfg = config({ flush_rows: 1 });
  const clock = new ManualClock();
  const versionOf = () => Number(read(cfg.path).find((r) => (r.row_key as string).includes('click'))!._version);
  const first = new EmbeddedStoreSink(cfg, undefined, clock);
  await first.open(undefined);
  await first.write(batch([[{ ...key, action: 'click', volume: 1, propensity: 1, sum_sq: 1 }]]));
  const v1 = versionOf();
  await first.write(batch([[{ ...key, action: 'click', volume: 2, propensity: 1, sum_sq: 4 }]]));
  const v2 = versionOf();
  assert.ok(v2 > v1);
  const position = await first.checkpoint();
  assert.deepEqual(position, { generation: 1 });
  await first.write(batch([[{ ...key, action: 'click', volume: 3, propensity: 1, sum_sq: 9 }]]));
  await first.close(); // "crash" after the checkpoint, having written past it
  const v3 = versionOf();
  // Restore from the checkpoint: the replay rewrites the row with a newer version.
  const restored = new EmbeddedStoreSink(cfg, undefined, clock);
  await restored.open(position);
  await restored.write(batch([[{ ...key, action: 'click', volume: 3, propensity: 1, sum_sq: 9 }]]));
  await restored.close();
  const v4 = versionOf();
  assert.ok(v4 > v3 && Math.floor(v4 / GENERATION_STRIDE) === 2, `v3 ${v3}, v4 ${v4}`);
  // A fresh start over a table that has rows still writes above them.
  const fresh = new EmbeddedStoreSink(cfg, undefined, clock);
  await fresh.open(undefined);
  await fresh.write(batch([[{ ...key, action: 'click', volume: 3, propensity: 1, sum_sq: 9 }]]));
  await fresh.close();
  assert.ok(versionOf() > v4);
  assert.equal(read(cfg.path)[0]!.volume, '3', 'replays converge on the same values');
});

void test('rows are buffered until flush_rows, flush_interval, a checkpoint or close', async () => {
  const cfg = config({ flush_rows: 3, flush_interval: '10s' });
  const clock = new ManualClock();
  const sink = new EmbeddedStoreSink(cfg, undefined, clock);
  await sink.open(undefined);
  const put = (action: string, volume: number) => sink.write(batch([[{ ...key, action, volume, propensity: 1, sum_sq: 1 }]]));
  await put('a', 1);
  await put('a', 2); // coalesced with the first: still one buffered row
  assert.equal(read(cfg.path).length, 0);
  await put('b', 1);
  await put('c', 1);
  assert.equal(read(cfg.path).length, 3, 'three distinct rows flush');
  await put('d', 1);
  clock.advance(10_000);
  await put('e', 1);
  assert.equal(read(cfg.path).length, 5, 'the interval flushes');
  await put('f', 1);
  await sink.checkpoint();
  assert.equal(read(cfg.path).length, 6, 'a checkpoint flushes');
  await sink.close();
});

void test('a second sink may add qualifiers to the same table', async () => {
  const a = config();
  const one = new EmbeddedStoreSink(a, undefined, new ManualClock());
  await one.open(undefined);
  await one.write(batch([[{ ...key, action: 'click', volume: 1, propensity: 1, sum_sq: 1 }]]));
  await one.close();
  const two = new EmbeddedStoreSink({ ...a, row_key: '{experiment_id}|{epoch_start:13}|{segment}|_|{group}', columns: { triggered: 'n' } }, undefined, new ManualClock());
  await two.open(undefined);
  await two.write(batch([[{ ...key, n: 40 }]]));
  await two.close();
  const rows = read(a.path);
  assert.deepEqual(rows.map((r) => [r.row_key, r.volume, r.triggered]), [
    ['exp_1|1700000000000|0|_|control', null, '40'],
    ['exp_1|1700000000000|0|click|control', '1', null],
  ]);
});

void test('a CEL column that fails rejects its record and leaves the buffered row as it was', async () => {
  const cfg = config({ columns: { volume: 'volume', doubled: 'volume * 2' } });
  const sink = new EmbeddedStoreSink(cfg, createExpressionCompiler(), new ManualClock());
  await sink.open(undefined);
  const result = await sink.write(batch([
    [{ ...key, action: 'click', volume: 2 }],
    [{ ...key, action: 'click', volume: 'three' }, 'update'],
  ]));
  assert.deepEqual(result?.rejected?.map((r) => [r.index, (r.error as { reason: string }).reason]), [[1, 'expr_error']]);
  await sink.close();
  assert.deepEqual(read(cfg.path).map((r) => [r.volume, r.doubled]), [['2', '4']]);
});
