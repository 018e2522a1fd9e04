/**
 * The timers of one operator: event-time and processing-time timers per key, at most one per
 * (key, timestamp, domain). Due timers pop in time order; timers with the same timestamp
 * pop in the order they were first registered (kept in snapshots, so the order is the same
 * after a restore). A timer registered while timers fire pops in the same round when it is
 * already due.
 *
 * Timers are coalesced per timestamp: a min-heap of distinct timestamps (a packed array of
 * numbers) and, per timestamp, the keys due then (`timestamp-buckets.ts`: the key itself
 * while there is one, an insertion-ordered `Set` beyond). A timer costs a `Set` slot, or
 * one map entry when it is alone at its time, never an object and heap node of its own.
 *
 * Deletion forgets the key at once; a timestamp left without keys stays in the heap until
 * it reaches the top, or until such dead timestamps outnumber live ones (then the heap is
 * rebuilt from the buckets).
 */
import type { TimeDomain } from '../../api/operator.ts';
import type { StateKey } from '../../api/state.ts';
import { Buckets } from './timestamp-buckets.ts';

export interface Timer {
  readonly key: StateKey;
  readonly timestamp: number;
  readonly domain: TimeDomain;
}

/** Serialisable form of a queue: live timers as parallel arrays, plus the next sequence. */
export interface TimerQueueSnapshot {
  readonly nextSeq: number;
  readonly domains: TimeDomain[];
  readonly keys: StateKey[];
  readonly timestamps: number[];
  /** Order among timers of the same timestamp (ascending = registration order). */
  readonly seqs: number[];
}

export class TimerQueue {
  private readonly event = new Buckets();
  private readonly processing = new Buckets();

  private queue(domain: TimeDomain): Buckets {
    return domain === 'event' ? this.event : this.processing;
  }

  /** Registers a timer; returns false when the same (key, timestamp, domain) already exists. */
  register(key: StateKey, timestamp: number, domain: TimeDomain): boolean {
    if (Number.isNaN(timestamp)) throw new RangeError('timer timestamp is NaN');
    return this.queue(domain).add(key, timestamp);
  }

  delete(key: StateKey, timestamp: number, domain: TimeDomain): void {
    this.queue(domain).remove(key, timestamp);
  }

  has(key: StateKey, timestamp: number, domain: TimeDomain): boolean {
    return this.queue(domain).has(key, timestamp);
  }

  /** The next event-time timer with timestamp ≤ `watermark`, removed from the queue. */
  popDue(watermark: number): Timer | undefined {
    const key = this.event.popDue(watermark);
    return key === undefined ? undefined : { key, timestamp: this.event.poppedAt, domain: 'event' };
  }

  /**
   * `popDue` without the `Timer` object: the key of the next event-time timer with timestamp
   * ≤ `watermark`, removed from the queue, its timestamp then in `poppedAt`.
   */
  popDueKey(watermark: number): StateKey | undefined {
    return this.event.popDue(watermark);
  }

  /** Timestamp of the timer `popDueKey` returned last. */
  get poppedAt(): number {
    return this.event.poppedAt;
  }

  /** The next processing-time timer with timestamp ≤ `now`, removed from the queue. */
  popDueProcessing(now: number): Timer | undefined {
    const key = this.processing.popDue(now);
    return key === undefined ? undefined : { key, timestamp: this.processing.poppedAt, domain: 'processing' };
  }

  /** Earliest pending timestamp of a domain (e.g. to schedule the processing-time wake-up). */
  nextTimestamp(domain: TimeDomain): number | undefined {
    return this.queue(domain).nextTime();
  }

  /** Live timers, both domains. */
  get size(): number {
    return this.event.live + this.processing.live;
  }

  sizeOf(domain: TimeDomain): number {
    return this.queue(domain).live;
  }

  snapshot(): TimerQueueSnapshot {
    const snap: TimerQueueSnapshot = { nextSeq: 0, domains: [], keys: [], timestamps: [], seqs: [] };
    let seq = 0;
    for (const domain of ['event', 'processing'] as const) {
      this.queue(domain).forEach((key, timestamp) => {
        snap.domains.push(domain);
        snap.keys.push(key);
        snap.timestamps.push(timestamp);
        snap.seqs.push(seq++);
      });
    }
    return { ...snap, nextSeq: seq };
  }

  /**
   * Replaces every timer with the snapshot's (also one written by an older queue), each key
   * through `keyOf` (e.g. a checkpoint's string keys as an operator with integer keys holds them).
   */
  restore(snap: TimerQueueSnapshot, keyOf: (key: StateKey) => StateKey = (key) => key): void {
    this.event.clear();
    this.processing.clear();
    const order = Array.from(snap.keys, (_, i) => i);
    order.sort((a, b) => snap.timestamps[a]! - snap.timestamps[b]! || snap.seqs[a]! - snap.seqs[b]!);
    for (const i of order) this.queue(snap.domains[i]!).add(keyOf(snap.keys[i]!), snap.timestamps[i]!);
  }
}
