/**
 * The in-flight items of an unaligned checkpoint (docs/architecture.md §5, "Checkpoints"):
 * at the barrier every stage is between two items and every holder has flushed, so what is
 * in flight is exactly what the queues hold. The barrier takes the lists (references: a
 * batch pushed downstream is never changed again, by its consumers nor by its producer);
 * they are serialised after the job has resumed, a frame per item (runtime entries
 * `in_flight:<n>` → `[queue name, item]`, in queue order, oldest first), giving the event
 * loop a turn every few milliseconds. A restore pushes them back into the same queues before
 * any stage or source runs: each consumer then sees the items it had not handled yet, in the
 * order it would have.
 *
 * Items are stored without their span context (`trace`: a live object of this process's
 * tracer; a replayed batch starts a new trace); batches, watermarks, ends and read times are
 * plain data and go through `node:v8` as the rest of the runtime entries.
 */
import { SluiceError } from '../../api/index.ts';
import { ChunkWriter, yieldToEventLoop } from '../state/index.ts';
import type { Flow, StreamItem } from './flow.ts';
import type { BoundedQueue } from './queue.ts';

export const IN_FLIGHT_ENTRY = 'in_flight';

/** Queue name → its items, oldest first; only queues that hold something. */
export type InFlightSnapshot = readonly (readonly [string, readonly StreamItem[]])[];

/** The queues' items now (call it with every stage frozen between items). */
export function captureInFlight(queues: readonly BoundedQueue<StreamItem>[]): InFlightSnapshot {
  const out: [string, StreamItem[]][] = [];
  for (const q of queues) {
    if (q.depth === 0) continue;
    out.push([q.name, q.snapshot().map(withoutTrace)]);
  }
  return out;
}

/** Busy milliseconds of serialising before the event loop gets a turn. */
const SLICE_MS = 10;

/** The snapshot as runtime chunks (after the other runtime entries' chunks), one frame per item. */
export async function inFlightChunks(snapshot: InFlightSnapshot, maxChunkBytes: number): Promise<Uint8Array[]> {
  const writer = new ChunkWriter(maxChunkBytes);
  let n = 0;
  let since = performance.now();
  for (const [name, items] of snapshot) {
    for (const item of items) {
      writer.write([`${IN_FLIGHT_ENTRY}:${n++}`, [name, item]]);
      if (performance.now() - since >= SLICE_MS) {
        await yieldToEventLoop();
        since = performance.now();
      }
    }
  }
  return writer.finish();
}

/** The in-flight items among a checkpoint's runtime entries (none: an aligned checkpoint). */
export function inFlightOf(entries: ReadonlyMap<string, unknown>): InFlightSnapshot {
  const prefix = `${IN_FLIGHT_ENTRY}:`;
  const found: [number, string, StreamItem][] = [];
  for (const [key, value] of entries) {
    if (!key.startsWith(prefix)) continue;
    const [name, item] = value as [string, StreamItem];
    found.push([Number(key.slice(prefix.length)), name, item]);
  }
  found.sort((a, b) => a[0] - b[0]);
  const byQueue = new Map<string, StreamItem[]>();
  for (const [, name, item] of found) {
    let list = byQueue.get(name);
    if (!list) byQueue.set(name, (list = []));
    list.push(item);
  }
  return [...byQueue];
}

/** How many items a snapshot holds. */
export function inFlightItems(snapshot: InFlightSnapshot): number {
  let n = 0;
  for (const [, items] of snapshot) n += items.length;
  return n;
}

/**
 * Pushes the checkpointed items back into their queues (before any loop starts). A queue
 * the pipeline no longer has means the pipeline changed under an unaligned checkpoint: its
 * items cannot be placed, so the restore is refused (a savepoint is always aligned).
 */
export function restoreInFlight(queues: readonly BoundedQueue<StreamItem>[], flow: Flow, snapshot: InFlightSnapshot): number {
  if (!snapshot.length) return 0;
  const byName = new Map(queues.map((q) => [q.name, q]));
  const missing = snapshot.filter(([name]) => !byName.has(name)).map(([name]) => name);
  if (missing.length) {
    throw new SluiceError(
      'E_CHECKPOINT',
      `the checkpoint holds in-flight items for ${missing.map((n) => `'${n}'`).join(', ')}, which this pipeline does not have: it changed since the (unaligned) checkpoint; restore a savepoint instead, or start with --reset-state`,
    );
  }
  let n = 0;
  for (const [name, items] of snapshot) {
    const q = byName.get(name)!;
    for (const item of items) {
      flow.pushed();
      q.push(item);
      n++;
    }
  }
  return n;
}

function withoutTrace(item: StreamItem): StreamItem {
  if (item.trace === undefined) return item;
  const { trace: _trace, ...rest } = item;
  return rest;
}
