/**
 * TTL bookkeeping for one state of one operator.
 *
 * The expiry time of each key's entry is kept in a backend table of its own (so it is
 * snapshotted with the state): for `event` TTL the largest event time written + ttl, for
 * `processing` TTL the last write's processing time + ttl. An entry is expired once the
 * watermark (event) or the clock (processing) reaches that time; an expired entry is
 * invisible on read.
 *
 * Cleanup is a min-heap with one entry per key, holding a time no later than the key's
 * expiry: `expire` pops only what is due, re-queues keys whose expiry moved on since, and
 * deletes the rest, so a call costs O(due · log n), never a scan. The heap is memory only;
 * `rebuild` recreates it from the expiry table after a restore.
 */
import type { StateBackend, StateKey, StateTable, StateTtl } from '../../api/state.ts';
import type { KeyContext, TtlClock } from './key-context.ts';
import { MinHeap } from './min-heap.ts';

interface Due {
  readonly time: number;
  readonly key: StateKey;
}

export const TTL_TABLE_SUFFIX = '\u0000ttl';

export class TtlTracker {
  private readonly expiries: StateTable<number>;
  private readonly heap = new MinHeap<Due>((a, b) => a.time < b.time);

  constructor(
    backend: StateBackend,
    operatorId: string,
    stateName: string,
    private readonly ttl: StateTtl,
    private readonly keys: KeyContext,
    private readonly clock: TtlClock,
    /** Deletes the state of a key whose entry expired. */
    private readonly dropState: (key: StateKey) => void,
  ) {
    this.expiries = backend.table<number>(operatorId, stateName + TTL_TABLE_SUFFIX);
  }

  /** True when `key`'s entry has expired (it must then read as absent). */
  isExpired(key: StateKey): boolean {
    const expiry = this.expiries.get(key);
    if (expiry === undefined) return false;
    return this.ttl.on === 'event' ? this.clock.watermark() >= expiry : this.clock.now() >= expiry;
  }

  /**
   * Records a write to `key`'s entry. With event TTL and no event time known (neither
   * `ctx.setCurrentTime` nor a finite watermark), the expiry is left as it was.
   */
  touched(key: StateKey): void {
    let expiry: number;
    const previous = this.expiries.get(key);
    if (this.ttl.on === 'event') {
      const time = this.keys.time > Number.NEGATIVE_INFINITY ? this.keys.time : this.clock.watermark();
      if (!Number.isFinite(time)) return;
      expiry = time + this.ttl.ms;
      if (previous !== undefined && previous >= expiry) return;
    } else {
      expiry = this.clock.now() + this.ttl.ms;
      if (previous === expiry) return;
    }
    this.expiries.set(key, expiry);
    // One heap entry per key: a key already queued is re-queued when its old time pops.
    if (previous === undefined) this.heap.push({ time: expiry, key });
  }

  /** The entry was cleared by the plugin. */
  cleared(key: StateKey): void {
    this.expiries.delete(key);
  }

  /** Deletes entries that expired by `watermark` / `now`; returns how many. */
  expire(watermark: number, now: number): number {
    const bound = this.ttl.on === 'event' ? watermark : now;
    let removed = 0;
    for (let top = this.heap.peek(); top !== undefined && top.time <= bound; top = this.heap.peek()) {
      this.heap.pop();
      const expiry = this.expiries.get(top.key);
      if (expiry === undefined) continue; // cleared since; re-queued on its next write
      if (expiry <= bound) {
        this.expiries.delete(top.key);
        this.dropState(top.key);
        removed++;
      } else {
        this.heap.push({ time: expiry, key: top.key });
      }
    }
    return removed;
  }

  /** Recreates the cleanup heap from the expiry table (after a backend restore). */
  rebuild(): void {
    const items: Due[] = [];
    for (const key of this.expiries.keys()) items.push({ time: this.expiries.get(key)!, key });
    this.heap.rebuild(items);
  }

  /** Keys tracked (for tests and metrics). */
  get size(): number {
    return this.expiries.size;
  }
}
