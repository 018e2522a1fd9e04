import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckpointManifest } from '../../core/api/index.ts';
import { isPluginDefinition } from '../../core/api/index.ts';
import { FolderCheckpointStore, folderCheckpointStorePlugin } from './index.ts';

function manifest(id: number, chunks: string[] = []): CheckpointManifest {
  return {
    id,
    job: 'j',
    createdAt: 1000 + id,
    generation: 0,
    chunks: chunks.map((name) => ({ name, bytes: 3 })),
    sources: { s: { line: id * 10 } },
    sinks: { out: { length: id * 100 } },
    runtime: { watermark: Number.NEGATIVE_INFINITY, end: Number.POSITIVE_INFINITY },
  };
}

async function withStore(run: (store: FolderCheckpointStore, root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-folder-store-'));
  try {
    await run(new FolderCheckpointStore(join(root, 'job')), join(root, 'job'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

void test('the plugin is a branded checkpoint_store named folder', () => {
  assert.ok(isPluginDefinition(folderCheckpointStorePlugin));
  assert.equal(folderCheckpointStorePlugin.kind, 'checkpoint_store');
  assert.equal(folderCheckpointStorePlugin.name, 'folder');
});

void test('an empty or missing folder has no latest checkpoint', async () => {
  await withStore(async (store) => {
    assert.equal(await store.latest(), undefined);
    await store.prune(3);
  });
});

void test('chunks round-trip and a committed manifest is the latest, non-finite numbers kept', async () => {
  await withStore(async (store) => {
    await store.writeChunk(1, 'state-0000', new Uint8Array([1, 2, 3]));
    assert.equal(await store.latest(), undefined, 'no manifest yet: incomplete');
    await store.commit(manifest(1, ['state-0000']));
    const latest = await store.latest();
    assert.deepEqual(latest, manifest(1, ['state-0000']));
    assert.deepEqual([...(await store.readChunk(1, 'state-0000'))], [1, 2, 3]);
    assert.match(store.describe(), /^folder .*job$/);
  });
});

void test('an incomplete newer checkpoint is ignored by latest and kept by prune', async () => {
  await withStore(async (store, root) => {
    for (const id of [1, 2, 3, 4]) {
      await store.writeChunk(id, 'c', new Uint8Array([id]));
      await store.commit(manifest(id, ['c']));
    }
    await store.writeChunk(5, 'c', new Uint8Array([5]));
    // A crash mid-commit leaves only the temporary manifest.
    await writeFile(join(root, '000000000005', 'manifest.json.tmp'), '{"id": 5, "trunc');
    assert.equal((await store.latest())?.id, 4);
    assert.deepEqual((await store.list()).map((m) => m.id), [4, 3, 2, 1], 'complete ones, newest first');
    await store.prune(2);
    assert.deepEqual((await readdir(root)).sort(), ['000000000003', '000000000004', '000000000005']);
    assert.equal((await store.latest())?.id, 4);
  });
});

void test('prune removes incomplete checkpoints older than the kept ones', async () => {
  await withStore(async (store, root) => {
    await mkdir(join(root, '000000000001'), { recursive: true });
    await store.commit(manifest(2));
    await store.commit(manifest(3));
    await store.prune(1);
    assert.deepEqual(await readdir(root), ['000000000003']);
  });
});

void test('reading a missing chunk is a coded checkpoint error; bad chunk names are refused', async () => {
  await withStore(async (store) => {
    await assert.rejects(store.readChunk(9, 'nope'), { code: 'E_CHECKPOINT' });
    await assert.rejects(store.writeChunk(1, '../escape', new Uint8Array()), RangeError);
    await assert.rejects(store.writeChunk(1, 'manifest.json', new Uint8Array()), RangeError);
  });
});

void test('create defaults the folder to .sluice/checkpoints/<job>', async () => {
  const store = await folderCheckpointStorePlugin.create({
    id: 'checkpoints',
    config: { fsync: false },
    deps: {},
    logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } },
    job: 'orders',
  });
  assert.equal(store.describe(), `folder ${join('.sluice', 'checkpoints', 'orders')}`);
});

void test('prune keeps savepoints however old; list, read and delete see them', async () => {
  await withStore(async (store, root) => {
    for (let id = 1; id <= 6; id++) {
      await store.writeChunk(id, 'state-000000', new Uint8Array([1, 2, 3]));
      await store.commit(id === 2 ? { ...manifest(id, ['state-000000']), savepoint: { id: 'sp-two' } } : manifest(id, ['state-000000']));
    }
    await store.prune(2);
    assert.deepEqual((await store.list()).map((m) => m.id), [6, 5, 2]);
    assert.deepEqual((await store.read(2))?.savepoint, { id: 'sp-two' });
    assert.equal(await store.read(3), undefined);
    assert.deepEqual([...(await store.readChunk(2, 'state-000000'))], [1, 2, 3]);
    await store.delete(2);
    await store.delete(99); // absent: no-op
    assert.deepEqual((await store.list()).map((m) => m.id), [6, 5]);
    assert.deepEqual((await readdir(root)).sort(), ['000000000005', '000000000006']);
  });
});
