/**
 * Writing and reading the chunks of one checkpoint: the state backend's snapshot
 * (`state-NNNNNN.<writer>`) and the runtime's own state (`runtime-NNNNNN.<writer>`: watermark generators,
 * operator watermarks, each operator host's timers and local snapshot), every chunk at
 * most `maxChunkBytes` (4 MB), the event loop given a turn between chunks so a large
 * checkpoint never stalls the job's heartbeats. Each chunk's size and CRC-32 are in the
 * manifest and verified when it is read: a mismatch is a `CorruptCheckpointError`, which a
 * restore answers by falling back to the previous complete checkpoint (engine/restore.ts).
 */
import type { CheckpointChunkRef, CheckpointManifest, CheckpointStore, StateBackend } from '../../api/index.ts';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { SluiceError } from '../../api/index.ts';
import { ChunkWriter, readFrames, yieldToEventLoop } from '../state/index.ts';

export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
export const STATE_PREFIX = 'state-';
export const RUNTIME_PREFIX = 'runtime-';

/** A chunk that is not what the manifest says it is: torn, truncated or flipped. */
export class CorruptCheckpointError extends SluiceError {
  constructor(
    readonly checkpoint: number,
    message: string,
  ) {
    super('E_CHECKPOINT', message);
    this.name = 'CorruptCheckpointError';
  }
}

/**
 * `<prefix><n>.<writer>`: the writer tag keeps two writers of one checkpoint id (two instances
 * of a task in a hand-off) from overwriting each other's chunks; a manifest names the chunks
 * of the writer that committed it.
 */
function chunkName(prefix: string, n: number, writer: string): string {
  return `${prefix}${String(n).padStart(6, '0')}.${writer}`;
}

/** A tag for the chunks of one checkpoint writer (an engine instance's checkpointer). */
export function newWriterTag(): string {
  return randomBytes(4).toString('hex');
}

/** True when `manifest` names chunks `writer` wrote (its commit, not another writer's). */
export function writtenBy(manifest: CheckpointManifest, writer: string): boolean {
  return manifest.chunks.some((c) => c.name.endsWith(`.${writer}`));
}

/** One named part of the runtime state (a frame each, so a big one spans chunks). */
export type RuntimeEntry = readonly [string, unknown];

export interface WrittenChunks {
  readonly chunks: CheckpointChunkRef[];
  readonly bytes: number;
}

/**
 * Serialises the runtime entries into chunks now. They are live objects of the running job,
 * so a checkpoint that resumes before it writes serialises them at the barrier.
 */
export function runtimeChunks(runtime: readonly RuntimeEntry[], maxChunkBytes = MAX_CHUNK_BYTES): Uint8Array[] {
  const writer = new ChunkWriter(maxChunkBytes);
  for (const entry of runtime) writer.write(entry);
  return writer.finish();
}

/**
 * Writes checkpoint `id`: the state chunks (a backend's `snapshot`, or a capture's), then
 * the runtime chunks; `cancelled` stops between chunks.
 */
export async function writeCheckpointChunks(
  store: CheckpointStore,
  id: number,
  state: AsyncIterable<Uint8Array>,
  runtime: readonly Uint8Array[],
  cancelled: () => boolean,
  writer: string,
): Promise<WrittenChunks> {
  const chunks: CheckpointChunkRef[] = [];
  let bytes = 0;
  const put = async (name: string, data: Uint8Array): Promise<void> => {
    if (cancelled()) throw new SluiceError('E_CHECKPOINT', `checkpoint ${id} was cancelled`);
    await store.writeChunk(id, name, data);
    chunks.push({ name, bytes: data.byteLength, crc32: crc32(data) });
    bytes += data.byteLength;
  };
  let n = 0;
  for await (const chunk of state) await put(chunkName(STATE_PREFIX, n++, writer), chunk);
  let r = 0;
  for (const chunk of runtime) {
    await put(chunkName(RUNTIME_PREFIX, r++, writer), chunk);
    await yieldToEventLoop();
  }
  return { chunks, bytes };
}

async function* readChunks(store: CheckpointStore, manifest: CheckpointManifest, prefix: string): AsyncGenerator<Uint8Array> {
  for (const ref of manifest.chunks) {
    if (!ref.name.startsWith(prefix)) continue;
    const data = await store.readChunk(manifest.id, ref.name);
    if (data.byteLength !== ref.bytes) {
      throw new CorruptCheckpointError(manifest.id, `checkpoint ${manifest.id}: chunk '${ref.name}' has ${data.byteLength} bytes, the manifest says ${ref.bytes}`);
    }
    if (ref.crc32 !== undefined && crc32(data) !== ref.crc32) {
      throw new CorruptCheckpointError(manifest.id, `checkpoint ${manifest.id}: chunk '${ref.name}' fails its checksum (CRC-32 ${crc32(data)}, the manifest says ${ref.crc32})`);
    }
    yield data;
  }
}

/** Restores the state backend from checkpoint `manifest` and returns the runtime entries. */
export async function readCheckpoint(store: CheckpointStore, manifest: CheckpointManifest, backend: StateBackend): Promise<Map<string, unknown>> {
  await backend.restore(readChunks(store, manifest, STATE_PREFIX));
  const out = new Map<string, unknown>();
  for await (const frame of readFrames(readChunks(store, manifest, RUNTIME_PREFIX))) {
    const [name, value] = frame as RuntimeEntry;
    out.set(name, value);
  }
  return out;
}

/** Empties a state backend (a fresh start after a failed attempt). */
export async function clearState(backend: StateBackend): Promise<void> {
  await backend.restore((async function* () {})());
}
