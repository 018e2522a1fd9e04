/**
 * A checkpoint store in a local folder:
 *
 *   <root>/000000000007/state-0000        chunks, one file each
 *   <root>/000000000007/manifest.json     present only once the checkpoint is complete
 *
 * `commit` writes the manifest to a temporary file, fsyncs it, links it into place and
 * fsyncs the folder, so after a crash a checkpoint is either complete or has no manifest. The
 * link refuses a manifest that exists: the first writer of an id wins, as with HBase's
 * checked put (two instances of a task in a hand-off may write one id).
 * Chunks are fsynced as they are written, before the manifest that names them can exist.
 * `delete` removes the manifest first (the checkpoint is then incomplete), then the folder.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointManifest, CheckpointStore } from '../../core/api/index.ts';
import { decodeManifest, encodeManifest, isSavepoint, SluiceError } from '../../core/api/index.ts';

const MANIFEST = 'manifest.json';
const ID_DIGITS = 12;

function folderName(id: number): string {
  if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`checkpoint id must be a non-negative integer, got ${id}`);
  return String(id).padStart(ID_DIGITS, '0');
}

/** Chunk names become file names: keep them to a safe alphabet. */
function chunkFile(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name === MANIFEST || name.startsWith('manifest.')) {
    throw new RangeError(`bad checkpoint chunk name '${name}'`);
  }
  return name;
}

export interface FolderStoreOptions {
  /** fsync chunks, manifests and folders (default true). */
  readonly fsync?: boolean;
}

export class FolderCheckpointStore implements CheckpointStore {
  private readonly fsync: boolean;

  constructor(
    readonly root: string,
    options: FolderStoreOptions = {},
  ) {
    this.fsync = options.fsync ?? true;
  }

  describe(): string {
    return `folder ${this.root}`;
  }

  private dir(id: number): string {
    return join(this.root, folderName(id));
  }

  async writeChunk(id: number, name: string, data: Uint8Array): Promise<void> {
    const dir = this.dir(id);
    await mkdir(dir, { recursive: true });
    await this.writeFile(join(dir, chunkFile(name)), data);
  }

  async commit(manifest: CheckpointManifest): Promise<void> {
    const dir = this.dir(manifest.id);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `${MANIFEST}.${randomBytes(4).toString('hex')}.tmp`);
    await this.writeFile(tmp, encodeManifest(manifest, { indent: 2 }));
    try {
      await link(tmp, join(dir, MANIFEST));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      throw new SluiceError('E_CHECKPOINT', `checkpoint ${manifest.id}: a manifest already exists in ${this.describe()} (another writer committed it); refusing to overwrite it`);
    } finally {
      await rm(tmp, { force: true });
    }
    if (this.fsync) {
      await this.syncDir(dir);
      await this.syncDir(this.root);
    }
  }

  async latest(): Promise<CheckpointManifest | undefined> {
    for (const id of (await this.ids()).reverse()) {
      const manifest = await this.readManifest(id);
      if (manifest) return manifest;
    }
    return undefined;
  }

  async list(): Promise<CheckpointManifest[]> {
    const out: CheckpointManifest[] = [];
    for (const id of (await this.ids()).reverse()) {
      const manifest = await this.readManifest(id);
      if (manifest) out.push(manifest);
    }
    return out;
  }

  async readChunk(id: number, name: string): Promise<Uint8Array> {
    try {
      return await readFile(join(this.dir(id), chunkFile(name)));
    } catch (cause) {
      throw new SluiceError('E_CHECKPOINT', `checkpoint ${id}: cannot read chunk '${name}' from ${this.describe()}`, { cause });
    }
  }

  async prune(retain: number): Promise<void> {
    const ids = await this.ids();
    const complete: number[] = [];
    const savepoints = new Set<number>();
    for (const id of ids) {
      const manifest = await this.readManifest(id);
      if (!manifest) continue;
      if (isSavepoint(manifest)) savepoints.add(id);
      else complete.push(id);
    }
    const kept = complete.slice(-Math.max(1, retain));
    const oldestKept = kept[0];
    if (oldestKept === undefined) return;
    const keep = new Set(kept);
    for (const id of ids) {
      // Incomplete folders newer than the oldest kept may be a checkpoint in progress.
      if (keep.has(id) || savepoints.has(id) || id > oldestKept) continue;
      await rm(this.dir(id), { recursive: true, force: true });
    }
  }

  read(id: number): Promise<CheckpointManifest | undefined> {
    return this.readManifest(id);
  }

  async delete(id: number): Promise<void> {
    await rm(join(this.dir(id), MANIFEST), { force: true });
    if (this.fsync) await this.syncDir(this.dir(id)).catch(() => undefined);
    await rm(this.dir(id), { recursive: true, force: true });
  }

  /** Ids of every checkpoint folder, ascending. */
  private async ids(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .sort((a, b) => a - b);
  }

  private async readManifest(id: number): Promise<CheckpointManifest | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.dir(id), MANIFEST), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    // A link is atomic, so a manifest that exists is whole; a bad one is a real error.
    try {
      return decodeManifest(text);
    } catch (cause) {
      throw new SluiceError('E_CHECKPOINT', `checkpoint ${id}: manifest in ${this.describe()} is not valid JSON`, { cause });
    }
  }

  private async writeFile(path: string, data: Uint8Array | string): Promise<void> {
    const handle = await open(path, 'w');
    try {
      await handle.writeFile(data);
      if (this.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private async syncDir(dir: string): Promise<void> {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
