/**
 * The file sink: one encoded string per batch, one positioned `write` per batch. Its
 * checkpoint position is the file's length after an fsync; a restore truncates the file
 * to it, so a replay after a crash rewrites exactly the lines that followed: effectively
 * once. A fresh open (no checkpoint) of a whole job overwrites the file.
 *
 * In a task of a job run as tasks (`mode: 'task'`) the file at the path is never truncated
 * in place: a fresh open sets the file there aside, a restore writes the checkpointed
 * prefix as a new file (task-files.ts), so an overlapping instance of the task cannot
 * destroy or overwrite what this one writes, nor this one what it wrote.
 */
import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Batch, Codec, EncodeOptions, SinkInstance, SinkWriteResult } from '../../core/api/index.ts';
import { openFresh, openRestored, reclaim } from './task-files.ts';
import type { Opened } from './task-files.ts';

/** Checkpoint position: the file's length in bytes; in a task, also the inode written (task-files.ts). */
export interface FileSinkPosition {
  readonly bytes: number;
  readonly ino?: number;
}

export class FileSink implements SinkInstance {
  private handle: FileHandle | undefined;
  private bytes = 0;
  /** The inode a task's instance writes. */
  private ino: number | undefined;

  constructor(
    readonly path: string,
    private readonly codec: Codec,
    private readonly encodeOptions: EncodeOptions,
    /** Write `{provenance, record}` envelopes instead of the records. */
    envelope: 'none' | 'provenance' = 'none',
    /** `task`: never truncate the file at the path in place (see above). */
    private readonly mode: 'whole' | 'task' = 'whole',
    /** Told where a task's open set an earlier file aside. */
    private readonly onSetAside?: (to: string, bytes: number) => void,
  ) {
    // The envelope is JSON's (the plugin refuses another codec with it): an encode option.
    if (envelope === 'provenance') this.encodeOptions = { ...encodeOptions, envelope };
  }

  async open(position: unknown): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    if (position === undefined || position === null) {
      if (this.mode === 'whole') {
        this.handle = await open(this.path, 'w');
        return;
      }
      this.opened(await openFresh(this.path));
      return;
    }
    const { bytes, ino } = position as FileSinkPosition;
    if (!Number.isInteger(bytes) || bytes < 0) throw new TypeError(`file sink '${this.path}': bad position ${JSON.stringify(position)}`);
    if (this.mode === 'task') {
      this.opened(await openRestored(this.path, bytes, ino, this.path));
      this.bytes = bytes;
      return;
    }
    try {
      this.handle = await open(this.path, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || bytes > 0) throw error;
      this.handle = await open(this.path, 'w');
    }
    const { size } = await this.handle.stat();
    if (size < bytes) {
      await this.close();
      throw new Error(`file sink '${this.path}' is ${size} bytes, shorter than the checkpointed ${bytes}: it was truncated or replaced`);
    }
    await this.handle.truncate(bytes);
    this.bytes = bytes;
  }

  private opened(o: Opened): void {
    this.handle = o.handle;
    this.ino = o.ino;
    if (o.setAside) this.onSetAside?.(o.setAside.to, o.setAside.bytes);
  }

  async write(batch: Batch): Promise<SinkWriteResult | void> {
    const { text, rejected } = this.codec.encode(batch, this.encodeOptions);
    if (text.length > 0) {
      const data = Buffer.from(text, 'utf8');
      let done = 0;
      // Regular files take a whole write at once; the loop covers the rare short write.
      while (done < data.length) {
        const { bytesWritten } = await this.handle!.write(data, done, data.length - done, this.bytes + done);
        done += bytesWritten;
      }
      this.bytes += data.length;
    }
    if (rejected.length > 0) return { rejected };
  }

  async checkpoint(): Promise<FileSinkPosition> {
    await this.handle!.datasync();
    if (this.ino === undefined) return { bytes: this.bytes };
    await reclaim(this.path, this.ino);
    return { bytes: this.bytes, ino: this.ino };
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (!handle) return;
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }
}
