/**
 * Reads one file in large chunks and splits it into lines itself: one `read` call per
 * `read_size` bytes, newlines found with `Buffer.indexOf` (memchr), and one UTF-8 decode
 * per batch of lines. A partial last line stays buffered until its newline arrives, or is
 * returned at end of input when the file is not followed.
 */
import { open } from 'node:fs/promises';
import { SluiceError } from '../../core/api/index.ts';
import type { FileHandle } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';

/** Where a file has been read to: right after the last line returned. */
export interface FilePosition {
  /** Byte offset after the last line returned. */
  readonly offset: number;
  /** Number of that line (1-based); 0 before any. */
  readonly line: number;
}

export interface Lines {
  /** Text; the raw bytes of a line that is not valid UTF-8 (the codec dead-letters it, naming the offset). */
  readonly payloads: (string | Uint8Array)[];
  /** 1-based line numbers. */
  readonly lines: number[];
  /** Byte offset of each line's start. */
  readonly offsets: number[];
}

const NEWLINE = 0x0a;

export class LineReader {
  private handle: FileHandle | undefined;
  private buf: Buffer;
  /** Unconsumed bytes are buf[start, end); buf[start] is at file offset `offset`. */
  private start = 0;
  private end = 0;
  private offset = 0;
  private line = 0;
  /** The file gave no more bytes on the last read. */
  private atEof = false;

  constructor(
    readonly path: string,
    readSize: number,
    private readonly follow: boolean,
    private readonly skipBlank: boolean,
    /** `max_line_bytes`: a longer line fails the source instead of being buffered whole. */
    private readonly maxLineBytes = Number.MAX_SAFE_INTEGER,
  ) {
    this.buf = Buffer.allocUnsafe(readSize);
  }

  async open(position: FilePosition | undefined): Promise<void> {
    this.handle = await open(this.path, 'r');
    if (position) {
      const { size } = await this.handle.stat();
      if (size < position.offset) {
        await this.close();
        throw new SluiceError('E_SOURCE_INPUT', `file '${this.path}' is ${size} bytes, shorter than the checkpointed offset ${position.offset}: it was truncated or replaced`);
      }
      this.offset = position.offset;
      this.line = position.line;
    }
  }

  position(): FilePosition {
    return { offset: this.offset, line: this.line };
  }

  /** Read to the end and nothing left buffered (never true when following). */
  get done(): boolean {
    return !this.follow && this.atEof && this.start === this.end;
  }

  /** Up to `max` lines (blank ones skipped but counted), maybe none. */
  async read(max: number): Promise<Lines> {
    const out: Lines = { payloads: [], lines: [], offsets: [] };
    this.atEof = false;
    while (out.payloads.length < max) {
      this.take(max - out.payloads.length, out);
      if (out.payloads.length >= max || this.atEof) break;
      await this.fill();
    }
    // Not followed: a last line without newline is complete at end of input.
    if (this.atEof && !this.follow && this.start < this.end && out.payloads.length < max) {
      this.push(this.buf.toString('utf8', this.start, this.end), this.start, this.end, out);
    }
    return out;
  }

  /** Moves complete lines from the buffer to `out`, at most `max` (blank ones do not count). */
  private take(max: number, out: Lines): void {
    const buf = this.buf;
    const regionStart = this.start;
    const ends: number[] = [];
    let pos = regionStart;
    let taken = 0;
    while (taken < max) {
      const nl = buf.indexOf(NEWLINE, pos);
      if (nl < 0 || nl >= this.end) break;
      ends.push(nl);
      if (!(this.skipBlank && (nl === pos || (nl === pos + 1 && buf[pos] === 0x0d)))) taken++;
      pos = nl + 1;
    }
    if (ends.length === 0) return;
    // One decode for the whole run of lines; a 0x0a byte never occurs inside a UTF-8 sequence.
    const text = buf.toString('utf8', regionStart, pos - 1).split('\n');
    // U+FFFD in the text: a line whose bytes are not valid UTF-8 goes on as those bytes.
    const suspect = text.some((t) => t.includes('\uFFFD'));
    let lineStart = regionStart;
    for (let k = 0; k < ends.length; k++) {
      const bytes = suspect && text[k]!.includes('\uFFFD') ? buf.subarray(lineStart, ends[k]!) : undefined;
      this.push(bytes && !isUtf8(bytes) ? Uint8Array.from(bytes) : text[k]!, lineStart, ends[k]! + 1, out);
      lineStart = ends[k]! + 1;
    }
  }

  private push(text: string | Uint8Array, from: number, to: number, out: Lines): void {
    this.line++;
    const lineOffset = this.offset;
    this.offset += to - from;
    this.start = to;
    const line = typeof text !== 'string' ? text : text.endsWith('\r') ? text.slice(0, -1) : text;
    if (this.skipBlank && line.length === 0) return;
    out.payloads.push(line);
    out.lines.push(this.line);
    out.offsets.push(lineOffset);
  }

  /** Reads the next chunk behind the buffered bytes, compacting or growing the buffer. */
  private async fill(): Promise<void> {
    if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end === this.buf.length) {
      // A line longer than the buffer: grow it, up to the limit.
      if (this.end > this.maxLineBytes) {
        throw new Error(`line ${this.line + 1} of '${this.path}' is longer than max_line_bytes (${this.maxLineBytes} bytes); raise max_line_bytes or fix the file`);
      }
      const bigger = Buffer.allocUnsafe(Math.min(this.buf.length * 2, this.maxLineBytes + 1));
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
    const { bytesRead } = await this.handle!.read(this.buf, this.end, this.buf.length - this.end, this.offset + this.end);
    if (bytesRead === 0) this.atEof = true;
    this.end += bytesRead;
    // A UTF-8 byte order mark at the start of the file is not part of the first line.
    if (this.offset === 0 && this.line === 0 && this.end >= 3 && this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) {
      this.start = 3;
      this.offset = 3;
    }
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}
