import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckpointManifest } from '../../core/api/index.ts';
import { isPluginDefinition } from '../../core/api/index.ts';
import { FakeHBaseClient } from '../../lib/hbase-client/fake-client.ts';
import { HBaseCheckpointStore, hbaseCheckpointStorePlugin } from './index.ts';

function manifest(id: number, chunks: [string, number][] = []): CheckpointManifest {
  return {
    id, job: 'j', createdAt: 1000 + id, generation: 0,
    chunks: chunks.map(([name, bytes]) => ({ name, bytes })),
    sources: { s: { line: id * 10 } }, sinks: { out: { generation: 1 } },
    runtime: { watermark: Number.NEGATIVE_INFINITY, end: Number.POSITIVE_INFINITY },
  };
}
const store = (client: FakeHBaseClient, job = 'j') => new HBaseCheckpointStore(client, { table: 'sluice_checkpoints', job, cellBytes: 1024, createTable: true });

void test('the plugin is a branded checkpoint_store named hbase', () => {
  assert.ok(isPluginDefinition(hbaseCheckpointStorePlugin));
  assert.equal(hbaseCheckpointStorePlugin.kind, 'checkpoint_store');
  assert.equal(hbaseCheckpointStorePlugin.name, 'hbase');
});

void test('chunks are split into rows of at most cell_bytes and read back whole; the manifest round-trips', async () => {
  const client = new FakeHBaseClient();
  const s = store(client);
  assert.equal(await s.latest(), undefined);
  const big = Uint8Array.from({ length: 2500 }, (_, i) => (i * 7) % 256);
  await s.writeChunk(1, 'state-000000', big);
  await s.writeChunk(1, 'runtime-000000', new Uint8Array());
  assert.equal(await s.latest(), undefined, 'chunks without a manifest: incomplete');
  await s.commit(manifest(1, [['state-000000', 2500], ['runtime-000000', 0]]));
  assert.deepEqual(await s.latest(), manifest(1, [['state-000000', 2500], ['runtime-000000', 0]]));
  assert.deepEqual([...(await s.readChunk(1, 'state-000000'))], [...big]);
  assert.equal((await s.readChunk(1, 'runtime-000000')).byteLength, 0);
  const keys = (await client.scan('sluice_checkpoints')).map((r) => r.key);
  assert.deepEqual(keys, [
    'j|0000000001|chunk|runtime-000000|000000',
    'j|0000000001|chunk|state-000000|000000', 'j|0000000001|chunk|state-000000|000001', 'j|0000000001|chunk|state-000000|000002',
    'j|0000000001|manifest',
  ]);
  await assert.rejects(s.readChunk(1, 'nope'), { code: 'E_CHECKPOINT' });
  await assert.rejects(s.writeChunk(1, 'a|b', new Uint8Array()), RangeError);
  assert.match(s.describe(), /^hbase sluice_checkpoints j /);
});

void test('a torn newer checkpoint is ignored; a second manifest for one checkpoint is refused; jobs are apart', async () => {
  const client = new FakeHBaseClient();
  const s = store(client);
  await s.writeChunk(1, 'c', new Uint8Array([1]));
  await s.commit(manifest(1, [['c', 1]]));
  await s.writeChunk(2, 'c', new Uint8Array([2]));
  assert.equal((await s.latest())?.id, 1);
  await assert.rejects(s.commit({ ...manifest(1), createdAt: 5 }), { code: 'E_CHECKPOINT' });
  assert.equal((await s.latest())?.createdAt, 1001, 'the first manifest stands');
  await s.commit(manifest(3, [['c', 1]]));
  assert.deepEqual((await s.list()).map((m) => m.id), [3, 1], 'complete ones, newest first');
  assert.equal(await store(client, 'other').latest(), undefined);
});

void test('prune keeps the retain newest complete checkpoints and newer incomplete ones', async () => {
  const client = new FakeHBaseClient();
  const s = store(client);
  for (const id of [1, 2, 3, 4]) {
    await s.writeChunk(id, 'c', new Uint8Array([id]));
    await s.commit(manifest(id, [['c', 1]]));
  }
  await s.writeChunk(5, 'c', new Uint8Array([5]));
  await s.prune(2);
  const ids = new Set((await client.scan('sluice_checkpoints')).map((r) => r.key.split('|')[1]));
  assert.deepEqual([...ids], ['0000000003', '0000000004', '0000000005']);
  assert.equal((await s.latest())?.id, 4);
});

void test('created from an empty config (checkpoint.store=hbase alone), every default holds', async () => {
  const s = await hbaseCheckpointStorePlugin.create({
    id: 'checkpoint_store', config: {} as never, deps: {}, job: 'orders',
    logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } },
  });
  assert.equal(s.describe(), 'hbase sluice_checkpoints orders (http://127.0.0.1:8080)');
});

void test('prune keeps savepoints; list, read and delete', async () => {
  const client = new FakeHBaseClient();
  const s = store(client);
  for (const id of [1, 2, 3, 4, 5]) {
    await s.writeChunk(id, 'c', new Uint8Array([id]));
    await s.commit(id === 2 ? { ...manifest(id, [['c', 1]]), savepoint: { id: 'sp-2' } } : manifest(id, [['c', 1]]));
  }
  await s.prune(2);
  assert.deepEqual((await s.list()).map((m) => m.id), [5, 4, 2]);
  assert.deepEqual((await s.read(2))?.savepoint, { id: 'sp-2' });
  assert.equal(await s.read(3), undefined);
  await s.delete(2);
  const ids = new Set((await client.scan('sluice_checkpoints')).map((r) => r.key.split('|')[1]));
  assert.deepEqual([...ids], ['0000000004', '0000000005']);
});
