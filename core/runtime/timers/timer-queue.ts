/**
 * The timers of one operator: event-time and processing-time timers per key, at most one per
 * (key, timestamp, domain). Due timers pop in time order; timers with the same timestamp
 * pop in the order they were first registered (a sequence number, kept in snapshots, so the
 * order is the same after a restore).
 *
 * Deletion is lazy: the index forgets the timer at once and the heap drops the dead entry
 * when it reaches the top, or in bulk when dead entries outnumber live ones.
 */
import type { TimeDomain } from '../../api/operator.ts';
import { MinHeap } from '../state/min-heap.ts';

export interface Timer {
  readonly key: string;
  readonly timestamp: number;
  readonly domain: TimeDomain;
}

interface Entry extends Timer {
  readonly seq: number;
  dead: boolean;
}

/** Serialisable form of a queue: live timers as parallel arrays, plus the next sequence. */
export interface TimerQueueSnapshot {
  readonly nextSeq: number;
  readonly domains: TimeDomain[];
  readonly keys: string[];
  readonly timestamps: number[];
  readonly seqs: number[];
}

const before = (a: Entry, b: Entry) => a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.seq < b.seq);

class DomainQueue {
  readonly heap = new MinHeap<Entry>(before);
  /** key → timestamp → live entry. */
  readonly index = new Map<string, Map<number, Entry>>();
  live = 0;
  dead = 0;

  constructor(readonly domain: TimeDomain) {}

  add(key: string, timestamp: number, seq: number): boolean {
    let byTime = this.index.get(key);
    if (byTime === undefined) {
      byTime = new Map();
      this.index.set(key, byTime);
    } else if (byTime.has(timestamp)) {
      return false;
    }
    const entry: Entry = { key, timestamp, domain: this.domain, seq, dead: false };
    byTime.set(timestamp, entry);
    this.heap.push(entry);
    this.live++;
    return true;
  }

  remove(key: string, timestamp: number): void {
    const byTime = this.index.get(key);
    const entry = byTime?.get(timestamp);
    if (!entry) return;
    entry.dead = true;
    byTime!.delete(timestamp);
    if (byTime!.size === 0) this.index.delete(key);
    this.live--;
    if (++this.dead > 1024 && this.dead > this.live) {
      this.heap.filter((e) => !e.dead);
      this.dead = 0;
    }
  }

  popDue(bound: number): Timer | undefined {
    for (let top = this.heap.peek(); top !== undefined && top.timestamp <= bound; top = this.heap.peek()) {
      this.heap.pop();
      if (top.dead) {
        this.dead--;
        continue;
      }
      const byTime = this.index.get(top.key)!;
      byTime.delete(top.timestamp);
      if (byTime.size === 0) this.index.delete(top.key);
      this.live--;
      return top;
    }
    return undefined;
  }

  nextTime(): number | undefined {
    for (let top = this.heap.peek(); top !== undefined; top = this.heap.peek()) {
      if (!top.dead) return top.timestamp;
      this.heap.pop();
      this.dead--;
    }
    return undefined;
  }

  clear(): void {
    this.heap.rebuild([]);
    this.index.clear();
    this.live = 0;
    this.dead = 0;
  }
}

export class TimerQueue {
  private readonly event = new DomainQueue('event');
  private readonly processing = new DomainQueue('processing');
  private seq = 0;

  private queue(domain: TimeDomain): DomainQueue {
    return domain === 'event' ? this.event : this.processing;
  }

  /** Registers a timer; returns false when the same (key, timestamp, domain) already exists. */
  register(key: string, timestamp: number, domain: TimeDomain): boolean {
    if (Number.isNaN(timestamp)) throw new RangeError('timer timestamp is NaN');
    return this.queue(domain).add(key, timestamp, this.seq++);
  }

  delete(key: string, timestamp: number, domain: TimeDomain): void {
    this.queue(domain).remove(key, timestamp);
  }

  has(key: string, timestamp: number, domain: TimeDomain): boolean {
    return this.queue(domain).index.get(key)?.has(timestamp) ?? false;
  }

  /** The next event-time timer with timestamp ≤ `watermark`, removed from the queue. */
  popDue(watermark: number): Timer | undefined {
    return this.event.popDue(watermark);
  }

  /** The next processing-time timer with timestamp ≤ `now`, removed from the queue. */
  popDueProcessing(now: number): Timer | undefined {
    return this.processing.popDue(now);
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
    const snap: TimerQueueSnapshot = { nextSeq: this.seq, domains: [], keys: [], timestamps: [], seqs: [] };
    for (const q of [this.event, this.processing]) {
      for (const byTime of q.index.values()) {
        for (const e of byTime.values()) {
          snap.domains.push(e.domain);
          snap.keys.push(e.key);
          snap.timestamps.push(e.timestamp);
          snap.seqs.push(e.seq);
        }
      }
    }
    return snap;
  }

  restore(snap: TimerQueueSnapshot): void {
    this.event.clear();
    this.processing.clear();
    for (let i = 0; i < snap.keys.length; i++) this.queue(snap.domains[i]!).add(snap.keys[i]!, snap.timestamps[i]!, snap.seqs[i]!);
    this.seq = snap.nextSeq;
  }
}
