/**
 * The in-flight items of an unaligned checkpoint (docs/architecture.md §5, "Checkpoints"):
 * at the barrier every stage is between two items and every holder has flushed, so what is
 * in flight is exactly what the queues hold. They go into the checkpoint as a runtime entry
 * (one list per queue, by the queue's name, oldest first) beside the operators' state, and a
 * restore pushes them back into the same queues before any stage or source runs: each
 * consumer then sees the items it had not handled yet, in the order it would have.
 *
 * Items are stored without their span context (`trace`: a live object of this process's
 * tracer; a replayed batch starts a new trace); batches, watermarks, ends and read times are
 * plain data and go through `node:v8` with the rest of the runtime entries.
 */
import { SluiceError } from '../../api/index.ts';
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
export function restoreInFlight(queues: readonly BoundedQueue<StreamItem>[], flow: Flow, snapshot: InFlightSnapshot | undefined): number {
  if (!snapshot?.length) return 0;
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
