/**
 * A savepoint of a job run as tasks is a set (docs/architecture.md §5, Savepoints): every task
 * of every stage checkpoints under the same savepoint id in its own store namespace
 * (`<job>.<task id>`), and the savepoint exists only when each of them holds its part. Used by
 * `sluice savepoint` (to wait for it), `savepoint list|delete` and `run --from-savepoint`
 * (which refuses an incomplete one: a task without its part would start over).
 */
import { isSavepoint, SluiceError } from '../../api/index.ts';
import type { CheckpointManifest, CheckpointStore } from '../../api/index.ts';
import { stageTask } from './stages.ts';

/** One task's store namespace. */
export interface TaskStore {
  /** `task-3`, `joined_by_experiment.task-3`. */
  readonly task: string;
  readonly store: CheckpointStore;
}

/** Every task of every stage: stage names ('' first) × task indexes. */
export function taskIds(stages: readonly string[], count: number): string[] {
  return stages.flatMap((stage) => Array.from({ length: count }, (_, i) => stageTask(stage, i, count).id));
}

export interface SavepointSet {
  readonly id: string;
  /** Each task's part, by task id. */
  readonly parts: ReadonlyMap<string, CheckpointManifest>;
  /** Tasks that hold no part of it. */
  readonly missing: readonly string[];
  readonly complete: boolean;
  /** Bytes of every part's chunks. */
  readonly bytes: number;
  /** The newest part's creation time. */
  readonly createdAt: number;
}

async function savepointsOf(t: TaskStore): Promise<CheckpointManifest[]> {
  if (!t.store.list) throw new SluiceError('E_SAVEPOINT', `the checkpoint store (${t.store.describe()}) cannot list its checkpoints, so it holds no savepoints Sluice can find`);
  return (await t.store.list()).filter(isSavepoint);
}

/** Every savepoint any task holds a part of, oldest first, each complete or not. */
export async function listSavepointSets(stores: readonly TaskStore[]): Promise<SavepointSet[]> {
  const byId = new Map<string, Map<string, CheckpointManifest>>();
  const found = await Promise.all(stores.map(savepointsOf));
  stores.forEach((t, i) => {
    for (const m of found[i]!) {
      const parts = byId.get(m.savepoint!.id) ?? new Map<string, CheckpointManifest>();
      parts.set(t.task, m);
      byId.set(m.savepoint!.id, parts);
    }
  });
  return [...byId].map(([id, parts]) => setOf(id, parts, stores)).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

/** The savepoint `id` as the tasks hold it (possibly incomplete, possibly empty). */
export async function findSavepointSet(stores: readonly TaskStore[], id: string): Promise<SavepointSet> {
  const parts = new Map<string, CheckpointManifest>();
  const found = await Promise.all(stores.map(savepointsOf));
  stores.forEach((t, i) => {
    const part = found[i]!.find((m) => m.savepoint!.id === id);
    if (part) parts.set(t.task, part);
  });
  return setOf(id, parts, stores);
}

function setOf(id: string, parts: ReadonlyMap<string, CheckpointManifest>, stores: readonly TaskStore[]): SavepointSet {
  const missing = stores.map((t) => t.task).filter((task) => !parts.has(task));
  let bytes = 0;
  let createdAt = 0;
  for (const m of parts.values()) {
    for (const c of m.chunks) bytes += c.bytes;
    createdAt = Math.max(createdAt, m.createdAt);
  }
  return { id, parts, missing, complete: missing.length === 0, bytes, createdAt };
}

/** Throws `E_SAVEPOINT` unless the set is complete: the error names what is missing. */
export function requireComplete(set: SavepointSet, where: string): void {
  if (set.parts.size === 0) throw new SluiceError('E_SAVEPOINT', `no savepoint '${set.id}' in ${where} (\`sluice savepoint list\` shows them)`);
  if (!set.complete) {
    const shown = set.missing.slice(0, 8).join(', ') + (set.missing.length > 8 ? `, … (${set.missing.length} in all)` : '');
    throw new SluiceError('E_SAVEPOINT', `savepoint '${set.id}' is incomplete: ${shown} hold no part of it (the stop did not finish, or those parts were deleted); it cannot be restored`);
  }
}

/** Deletes every part of savepoint `id`; returns the set as it was. */
export async function deleteSavepointSet(stores: readonly TaskStore[], id: string): Promise<SavepointSet> {
  const set = await findSavepointSet(stores, id);
  if (set.parts.size === 0) throw new SluiceError('E_SAVEPOINT', `no savepoint '${id}' in the job's tasks (\`sluice savepoint list\` shows them)`);
  for (const t of stores) {
    const part = set.parts.get(t.task);
    if (!part) continue;
    if (!t.store.delete) throw new SluiceError('E_SAVEPOINT', `the checkpoint store (${t.store.describe()}) cannot delete checkpoints`);
    await t.store.delete(part.id);
  }
  return set;
}
