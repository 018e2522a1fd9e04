/**
 * The `hbase` checkpoint store against the real HBase REST server: chunks larger than a
 * cell round-trip, a torn checkpoint (chunks without a manifest) is never the latest, a
 * second manifest for a committed checkpoint is refused by the checked put, and pruning
 * removes every row of older checkpoints.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckpointManifest } from '../../core/api/index.ts';
import { HBaseCheckpointStore } from '../../plugins/checkpoint-store-hbase/hbase-store.ts';
import { dropTables, hbase, uniqueTable } from './hbase-helpers.ts';

const tables: string[] = [];
after(() => dropTables(tables));

function store(table = uniqueTable('it_cp')): HBaseCheckpointStore {
  if (!tables.includes(table)) tables.push(table);
  return new HBaseCheckpointStore(hbase, { table, job: 'experiment_analytics', cellBytes: 1024 * 1024, createTable: true });
}

function manifest(id: number, chunks: [string, number][]): CheckpointManifest {
  return {
    id, job: 'experiment_analytics', createdAt: 1_000 + id, generation: id - 1,
    chunks: chunks.map(([name, bytes]) => ({ name, bytes })),
    sources: { traffic: { seed: 1, index: id * 1000 } }, sinks: { counts_store: { generation: id } },
    runtime: { watermark: Number.NEGATIVE_INFINITY },
  };
}

void test('a checkpoint of chunks larger than a cell round-trips; a torn newer one is ignored', async () => {
  const s = store();
  const state = Uint8Array.from({ length: 2_600_000 }, (_, i) => (i * 131 + (i >> 12)) % 256);
  await s.writeChunk(12, 'state-000000', state);
  await s.writeChunk(12, 'runtime-000000', new Uint8Array([1, 2, 3]));
  assert.equal(await s.latest(), undefined);
  const m = manifest(12, [['state-000000', state.byteLength], ['runtime-000000', 3]]);
  await s.commit(m);
  // A torn checkpoint: chunks written, the job died before the manifest.
  await s.writeChunk(13, 'state-000000', new Uint8Array([9]));
  assert.deepEqual(await s.latest(), m);
  assert.ok(Buffer.from(await s.readChunk(12, 'state-000000')).equals(state));
  assert.deepEqual([...(await s.readChunk(12, 'runtime-000000'))], [1, 2, 3]);
  assert.match(s.describe(), /^hbase it_cp_\S+ experiment_analytics \(http:\/\/127\.0\.0\.1:8080\)$/);
});

void test('the checked put refuses a stale second manifest for a committed checkpoint', async () => {
  const table = uniqueTable('it_cp');
  const s = store(table);
  const stale = store(table); // a second writer of the same job (a zombie attempt)
  await s.commit(manifest(3, []));
  await assert.rejects(stale.commit({ ...manifest(3, []), createdAt: 1 }), { code: 'E_CHECKPOINT' });
  assert.equal((await stale.latest())?.createdAt, 1_003, 'the committed manifest stands');
});

void test('prune keeps the newest complete checkpoints and deletes every row of older ones', async () => {
  const s = store();
  for (const id of [1, 2, 3]) {
    await s.writeChunk(id, 'state-000000', new Uint8Array([id]));
    await s.commit(manifest(id, [['state-000000', 1]]));
  }
  await s.writeChunk(4, 'state-000000', new Uint8Array([4]));
  await s.prune(1);
  assert.equal((await s.latest())?.id, 3);
  assert.deepEqual([...(await s.readChunk(3, 'state-000000'))], [3]);
  await assert.rejects(s.readChunk(2, 'state-000000'), { code: 'E_CHECKPOINT' });
  const keys = (await hbase.scan(tables.at(-1)!, { keysOnly: true })).map((r) => r.key);
  assert.deepEqual(keys, ['experiment_analytics|0000000003|chunk|state-000000|000000', 'experiment_analytics|0000000003|manifest', 'experiment_analytics|0000000004|chunk|state-000000|000000']);
});

void test('savepoints survive prune; list and read see them; delete removes every row of one', async () => {
  const s = store(uniqueTable('it_cp_save'));
  for (const id of [1, 2, 3, 4]) {
    await s.writeChunk(id, 'state-000000', new Uint8Array([id]));
    const m = manifest(id, [['state-000000', 1]]);
    await s.commit(id === 2 ? { ...m, savepoint: { id: 'sp-it-2' } } : m);
  }
  await s.prune(1);
  assert.deepEqual((await s.list()).map((m) => [m.id, m.savepoint?.id]), [[4, undefined], [2, 'sp-it-2']]);
  assert.deepEqual((await s.read(2))?.sources, { traffic: { seed: 1, index: 2000 } });
  assert.equal(await s.read(3), undefined);
  assert.deepEqual([...(await s.readChunk(2, 'state-000000'))], [2]);
  await s.delete(2);
  await s.delete(7); // absent: no-op
  const keys = (await hbase.scan(tables.at(-1)!, { keysOnly: true })).map((r) => r.key);
  assert.deepEqual(keys, ['experiment_analytics|0000000004|chunk|state-000000|000000', 'experiment_analytics|0000000004|manifest']);
});
