/**
 * Savepoints in a checkpoint store: complete checkpoints whose manifest carries a savepoint
 * id (`CheckpointManifest.savepoint`), kept until deleted. Used by `sluice run
 * --from-savepoint` and `sluice savepoint list|delete`, which work on the store directly
 * (the job may be stopped). The store must implement the optional `list` (and `delete`).
 */
import { randomBytes } from 'node:crypto';
import type { CheckpointManifest, CheckpointStore } from '../../api/index.ts';
import { isSavepoint, SluiceError } from '../../api/index.ts';

/** A savepoint id that sorts by time: `sp-20261205-034501-3f2a`. */
export function newSavepointId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `sp-${stamp}-${randomBytes(2).toString('hex')}`;
}

function listing(store: CheckpointStore): () => Promise<CheckpointManifest[]> {
  if (!store.list) throw new SluiceError('E_SAVEPOINT', `the checkpoint store (${store.describe()}) cannot list its checkpoints, so it holds no savepoints Sluice can find`);
  return store.list.bind(store);
}

/** The store's savepoints, oldest first. */
export async function listSavepoints(store: CheckpointStore): Promise<CheckpointManifest[]> {
  return (await listing(store)()).filter(isSavepoint).sort((a, b) => a.id - b.id);
}

/** The savepoint with this id; throws `E_SAVEPOINT` when the store has none. */
export async function findSavepoint(store: CheckpointStore, id: string): Promise<CheckpointManifest> {
  const found = (await listSavepoints(store)).find((m) => m.savepoint!.id === id);
  if (!found) throw new SluiceError('E_SAVEPOINT', `no savepoint '${id}' in ${store.describe()} (\`sluice savepoint list\` shows them)`);
  return found;
}

/** Deletes the savepoint with this id; returns its manifest. */
export async function deleteSavepoint(store: CheckpointStore, id: string): Promise<CheckpointManifest> {
  const found = await findSavepoint(store, id);
  if (!store.delete) throw new SluiceError('E_SAVEPOINT', `the checkpoint store (${store.describe()}) cannot delete checkpoints`);
  await store.delete(found.id);
  return found;
}
