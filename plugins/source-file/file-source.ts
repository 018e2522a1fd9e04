/**
 * The file source: JSONL (or raw lines) from a file or a glob of files, each file a
 * partition. Files are read side by side, each poll taking a share from every unfinished
 * file, so their watermarks advance together as Kafka partitions would. Watermark
 * alignment may pause files (`pausePartitions`): they are skipped until resumed.
 */
import { relative } from 'node:path';
import { SluiceError } from '../../core/api/index.ts';
import type { SourceChunk, SourceInstance } from '../../core/api/index.ts';
import { expandGlob, isGlob } from './glob.ts';
import { LineReader } from './line-reader.ts';
import type { FilePosition } from './line-reader.ts';
import type { FileSourceConfig } from './spec.ts';

/** `max_line_bytes` when not set: 16 MiB. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Position: per file (by its path as matched), where it has been read to. */
export type FileSourcePosition = Record<string, FilePosition>;

export class FileSource implements SourceInstance {
  private readers: LineReader[] = [];
  private known = new Set<string>();
  private restored: FileSourcePosition = {};
  /** Files paused by watermark alignment, by path. */
  private readonly paused = new Set<string>();

  constructor(private readonly config: FileSourceConfig) {}

  /**
   * Partitions are named by the path as matched. Before paths resolved against the pipeline
   * file (absolute), a relative path was matched as written, relative to the working
   * directory: a checkpoint of then is found by that name (`add`), so the file resumes.
   */
  async open(position: unknown): Promise<void> {
    this.restored = (position ?? {}) as FileSourcePosition;
    const files = await expandGlob(this.config.path);
    // A missing input stays missing on restart: E_SOURCE_INPUT fails the job at once.
    if (files.length === 0 && !this.config.follow) throw new SluiceError('E_SOURCE_INPUT', `no file matches '${this.config.path}'`);
    await this.add(files);
  }

  /** Opens readers for files not seen yet, at their restored position. */
  private async add(files: readonly string[]): Promise<void> {
    for (const path of files) {
      if (this.known.has(path)) continue;
      const { read_size, follow, skip_blank_lines, max_line_bytes } = this.config;
      const reader = new LineReader(path, read_size, follow, skip_blank_lines, max_line_bytes ?? MAX_LINE_BYTES);
      try {
        await reader.open(this.restored[path] ?? this.restored[relative(process.cwd(), path)]);
      } catch (error) {
        // A followed glob may name a file that vanished between listing and opening.
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        if (follow && isGlob(this.config.path) && missing) continue;
        throw missing ? new SluiceError('E_SOURCE_INPUT', `no such file '${path}'`, { cause: error }) : error;
      }
      this.known.add(path);
      this.readers.push(reader);
    }
  }

  async poll(maxRecords: number): Promise<SourceChunk[] | null> {
    let active = this.readers.filter((r) => !r.done);
    if (active.length === 0) {
      if (!this.config.follow) return null;
      if (isGlob(this.config.path)) await this.add(await expandGlob(this.config.path));
      return [];
    }
    if (this.paused.size) {
      active = active.filter((r) => !this.paused.has(r.path));
      if (active.length === 0) return [];
    }
    const share = Math.max(1, Math.floor(maxRecords / active.length));
    const results = await Promise.all(active.map((r) => r.read(share)));
    const chunks: SourceChunk[] = [];
    for (let k = 0; k < active.length; k++) {
      const { payloads, lines, offsets } = results[k]!;
      if (payloads.length > 0) chunks.push({ partition: active[k]!.path, payloads, lines, offsets });
      // A finished file gives its descriptor back now; the reader stays for its position.
      if (active[k]!.done) await active[k]!.close();
    }
    if (chunks.length === 0 && this.config.follow && isGlob(this.config.path)) await this.add(await expandGlob(this.config.path));
    return chunks;
  }

  position(): FileSourcePosition {
    // Files listed at restore but not (yet) reopened keep their saved position.
    const out: FileSourcePosition = { ...this.restored };
    for (const r of this.readers) out[r.path] = r.position();
    return out;
  }

  pausePartitions(paths: readonly (string | number)[]): void {
    for (const p of paths) this.paused.add(String(p));
  }

  resumePartitions(paths: readonly (string | number)[]): void {
    for (const p of paths) this.paused.delete(String(p));
  }

  partitions(): readonly string[] {
    return this.readers.map((r) => r.path);
  }

  async close(): Promise<void> {
    await Promise.all(this.readers.map((r) => r.close()));
  }
}
