/**
 * Snapshot framing: a snapshot is a stream of frames `[u32 length][v8-serialised value]`
 * cut into chunks of at most `maxChunkBytes`. A frame may span chunks, so one value larger
 * than a chunk still fits; restore reassembles frames across chunk boundaries.
 */
import { deserialize, serialize } from 'node:v8';

/** Accumulates frames and hands out full chunks. */
export class ChunkWriter {
  private parts: Uint8Array[] = [];
  private filled = 0;
  private readonly ready: Uint8Array[] = [];

  constructor(private readonly maxChunkBytes: number) {
    if (!(maxChunkBytes >= 16)) throw new RangeError('maxChunkBytes must be at least 16');
  }

  /** Appends one value as a frame. */
  write(value: unknown): void {
    const body = serialize(value);
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, body.length);
    this.append(header);
    this.append(body);
  }

  private append(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length) {
      const room = this.maxChunkBytes - this.filled;
      const take = Math.min(room, bytes.length - offset);
      this.parts.push(bytes.subarray(offset, offset + take));
      this.filled += take;
      offset += take;
      if (this.filled === this.maxChunkBytes) this.cut();
    }
  }

  private cut(): void {
    if (this.filled === 0) return;
    this.ready.push(Buffer.concat(this.parts, this.filled));
    this.parts = [];
    this.filled = 0;
  }

  /** Full chunks written so far (removed from the writer). */
  takeReady(): Uint8Array[] {
    return this.ready.splice(0, this.ready.length);
  }

  /** Bytes buffered in the chunk being filled. */
  get pending(): number {
    return this.filled;
  }

  /** Closes the stream: the last, partial chunk joins the ready ones. */
  finish(): Uint8Array[] {
    this.cut();
    return this.takeReady();
  }
}

/** Reads frames back from chunks, in order. */
export async function* readFrames(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<unknown> {
  let buffered: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    buffered = buffered.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffered, chunk]);
    let offset = 0;
    while (buffered.length - offset >= 4) {
      const length = buffered.readUInt32BE(offset);
      if (buffered.length - offset - 4 < length) break;
      yield deserialize(buffered.subarray(offset + 4, offset + 4 + length));
      offset += 4 + length;
    }
    buffered = buffered.subarray(offset);
  }
  if (buffered.length !== 0) throw new Error(`snapshot ends inside a frame (${buffered.length} bytes left)`);
}

/** Gives the event loop a turn (between snapshot chunks). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
