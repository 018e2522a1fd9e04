/**
 * A checkpoint store in memory: for tests and in-process runs. Behaves like the folder
 * store (a checkpoint is complete only once committed; prune keeps the newest and savepoints).
 */
import type { CheckpointManifest, CheckpointStore } from '../../api/index.ts';
import { isSavepoint, SluiceError } from '../../api/index.ts';

export class MemoryCheckpointStore implements CheckpointStore {
  readonly chunks = new Map<number, Map<string, Uint8Array>>();
  readonly manifests = new Map<number, CheckpointManifest>();
  /** Called before each chunk write and commit; a test makes it slow or throw. */
  beforeWrite: ((what: 'chunk' | 'commit', id: number) => Promise<void> | void) | undefined;

  constructor(private readonly label = 'memory') {}

  async writeChunk(id: number, name: string, data: Uint8Array): Promise<void> {
    await this.beforeWrite?.('chunk', id);
    let m = this.chunks.get(id);
    if (!m) this.chunks.set(id, (m = new Map()));
    m.set(name, data.slice());
  }

  async commit(manifest: CheckpointManifest): Promise<void> {
    await this.beforeWrite?.('commit', manifest.id);
    if (this.manifests.has(manifest.id)) throw new SluiceError('E_CHECKPOINT', `checkpoint ${manifest.id}: a manifest already exists in ${this.describe()} (another writer committed it); refusing to overwrite it`);
    this.manifests.set(manifest.id, structuredClone(manifest));
  }

  latest(): Promise<CheckpointManifest | undefined> {
    const ids = [...this.manifests.keys()].sort((a, b) => b - a);
    return Promise.resolve(ids.length ? structuredClone(this.manifests.get(ids[0]!)) : undefined);
  }

  list(): Promise<CheckpointManifest[]> {
    const ids = [...this.manifests.keys()].sort((a, b) => b - a);
    return Promise.resolve(ids.map((id) => structuredClone(this.manifests.get(id)!)));
  }

  readChunk(id: number, name: string): Promise<Uint8Array> {
    const data = this.chunks.get(id)?.get(name);
    if (!data) return Promise.reject(new SluiceError('E_CHECKPOINT', `checkpoint ${id}: no chunk '${name}' in ${this.describe()}`));
    return Promise.resolve(data.slice());
  }

  prune(retain: number): Promise<void> {
    const complete = [...this.manifests.keys()].sort((a, b) => a - b);
    const savepoints = new Set(complete.filter((id) => isSavepoint(this.manifests.get(id)!)));
    const kept = complete.filter((id) => !savepoints.has(id)).slice(-Math.max(1, retain));
    const oldest = kept[0];
    if (oldest === undefined) return Promise.resolve();
    for (const id of complete) if (!kept.includes(id) && !savepoints.has(id)) this.manifests.delete(id);
    for (const id of [...this.chunks.keys()]) if (id < oldest && !savepoints.has(id)) this.chunks.delete(id);
    return Promise.resolve();
  }

  read(id: number): Promise<CheckpointManifest | undefined> {
    const m = this.manifests.get(id);
    return Promise.resolve(m ? structuredClone(m) : undefined);
  }

  delete(id: number): Promise<void> {
    this.manifests.delete(id);
    this.chunks.delete(id);
    return Promise.resolve();
  }

  describe(): string {
    return this.label;
  }
}
