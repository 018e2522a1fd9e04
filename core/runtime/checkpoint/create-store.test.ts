/**
 * The checkpoint store is a plugin found by name (create-store.ts): the embedded `folder`
 * one writes under `<job.state_dir>/checkpoints/<job>`, and a name no plugin has is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuntimeConfig } from '../config/index.ts';
import { createCheckpointStore } from './create-store.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } } as never;

void test('the folder store is the folder plugin, keeping checkpoints in <state_dir>/checkpoints/<job>', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-store-'));
  try {
    const { config } = loadRuntimeConfig({ sets: ['checkpoint.store=folder', `job.state_dir=${dir}`] });
    const store = await createCheckpointStore(config, 'probe', silent);
    await store.writeChunk(1, 'state', new TextEncoder().encode('hello'));
    await store.commit({ id: 1, job: 'probe', createdAt: 0, generation: 1, chunks: [{ name: 'state', bytes: 5 }], sources: {}, sinks: {}, runtime: {} });
    assert.equal((await store.latest())?.id, 1);
    assert.ok(existsSync(join(dir, 'checkpoints', 'probe', '000000000001', 'manifest.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a checkpoint.store no plugin provides is refused by name', async () => {
  const { config } = loadRuntimeConfig({ sets: [] });
  await assert.rejects(createCheckpointStore({ ...config, checkpoint: { ...config.checkpoint, store: 'nowhere' } }, 'probe', silent), /no checkpoint_store plugin named 'nowhere'/);
});
