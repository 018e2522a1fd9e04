/**
 * How the file sink opens a file in a task of a job run as tasks (docs/architecture.md §5,
 * "A task's files"). Two instances of one task can overlap: the old owner of a moved task
 * runs on until its hand-off checkpoint, or until it notices it lost the task after a stall
 * (a zombie), while the new one restores; a restarted attempt follows a failed one. Neither
 * may destroy or scribble over what the other wrote, so every instance writes a file (an
 * inode) of its own, which no other instance ever writes:
 *
 * - a fresh open (no checkpoint) renames the file at the path (if any) to
 *   `<path>.superseded-<n>` (the first free n) and creates an empty one; the fresh instance
 *   replays its input from the beginning, so its file alone is complete;
 * - a restore finds the file the checkpoint was taken in (its inode is in the position:
 *   the path, or a superseded file when another instance replaced it since), copies its
 *   first `bytes` to a new file, sets the file at the path aside and renames the copy there.
 *
 * Each inode has one writer that only appends, so a checkpoint's (inode, length) names lines
 * that never change. An open moves the file at the path aside, and an older instance goes on
 * writing through its descriptor into a file that is no longer there; at every checkpoint an
 * instance takes the path back for its own file (`reclaim`), so the path names the file of the
 * instance that checkpointed last — the task's owner, not a stalled one that restarted once.
 */
import { constants } from 'node:fs';
import { copyFile, open, readdir, rename, stat, truncate, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

interface Found {
  readonly size: number;
  readonly ino: number;
}

async function find(path: string): Promise<Found | undefined> {
  return stat(path).then(
    (st) => ({ size: st.size, ino: st.ino }),
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    },
  );
}

/**
 * Renames the file at `path` to the first free `<path>.superseded-<n>`; returns where it went.
 * An empty one too: it may be the file another instance is writing, which must not vanish.
 */
async function setAside(path: string): Promise<{ to: string; bytes: number } | undefined> {
  const at = await find(path);
  if (!at) return undefined;
  for (let n = 1; ; n++) {
    const to = `${path}.superseded-${n}`;
    if ((await find(to)) !== undefined) continue;
    await rename(path, to);
    return { to, bytes: at.size };
  }
}

/** The file with inode `ino`: the path or one of its superseded files. */
async function fileWithInode(path: string, ino: number): Promise<string | undefined> {
  if ((await find(path))?.ino === ino) return path;
  const prefix = `${basename(path)}.superseded-`;
  for (const name of await readdir(dirname(path))) {
    if (name.startsWith(prefix) && (await find(join(dirname(path), name)))?.ino === ino) return join(dirname(path), name);
  }
  return undefined;
}

export interface Opened {
  readonly handle: FileHandle;
  /** The inode this instance writes. */
  readonly ino: number;
  /** Where an earlier file at the path went. */
  readonly setAside?: { readonly to: string; readonly bytes: number };
}

/** Fresh open: the file at the path (if any) is set aside, an empty one created. */
export async function openFresh(path: string): Promise<Opened> {
  const aside = await setAside(path);
  const handle = await open(path, 'w');
  return { handle, ino: (await handle.stat()).ino, ...(aside ? { setAside: aside } : {}) };
}

/**
 * Restore: the first `bytes` of the file with inode `ino` (or of the file at the path, for a
 * position without one) as a new file at the path. Throws when that file is gone or shorter.
 */
export async function openRestored(path: string, bytes: number, ino: number | undefined, label: string): Promise<Opened> {
  const from = ino === undefined ? path : await fileWithInode(path, ino);
  const size = from === undefined ? undefined : (await find(from))?.size;
  if (from === undefined || size === undefined) {
    if (bytes > 0) throw new Error(`file sink '${label}': the file of the checkpoint (inode ${ino ?? '?'}, ${bytes} bytes) is gone: it was deleted or replaced`);
  } else if (size < bytes) {
    throw new Error(`file sink '${label}' is ${size} bytes, shorter than the checkpointed ${bytes}: it was truncated or replaced`);
  }
  const temp = `${path}.restoring-${process.pid}-${Date.now().toString(36)}`;
  try {
    // A clone where the file system can (copy on write), a copy elsewhere; the tail past the checkpoint is cut.
    if (from !== undefined && bytes > 0) await copyFile(from, temp, constants.COPYFILE_FICLONE);
    else await (await open(temp, 'w')).close();
    await truncate(temp, bytes);
    const aside = await setAside(path);
    await rename(temp, path);
    const handle = await open(path, 'r+');
    return { handle, ino: (await handle.stat()).ino, ...(aside ? { setAside: aside } : {}) };
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** At a checkpoint: the file with inode `ino` is put back at the path if another instance's file is there. */
export async function reclaim(path: string, ino: number): Promise<void> {
  if ((await find(path))?.ino === ino) return;
  const mine = await fileWithInode(path, ino);
  if (mine === undefined) throw new Error(`file sink '${path}': the file this task writes (inode ${ino}) is gone`);
  await setAside(path);
  await rename(mine, path);
}
