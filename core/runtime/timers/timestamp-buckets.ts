/**
 * Timers of one domain, coalesced per timestamp (see `timer-queue.ts`):
 *
 * - `byTime`: timestamp → the keys due then: the key (string or number) while it is alone, else a
 *   `Group` (an insertion-ordered `Set`, so keys pop in registration order, plus the
 *   iterator that pops them; a `Set` iterator skips deleted keys and reaches keys added
 *   while it runs, so popping the front is O(1) and a key re-registered goes last).
 * - `heap`: the distinct timestamps, smallest on top. It may hold a timestamp whose keys
 *   are all gone (or hold one twice, after it emptied and came back); those are skipped
 *   when they reach the top.
 * - The group `add` used last and the one `popDue` pops from are remembered with their
 *   times: timers come in runs at one time (every key's window ends at the hour) and pop in
 *   runs, so most calls skip the `byTime` lookup (a hash of a timestamp that is no small
 *   integer). A remembered group is forgotten when its time leaves `byTime`.
 */
import type { StateKey } from '../../api/state.ts';
import { MinHeap } from '../state/min-heap.ts';

class Group {
  readonly keys: Set<StateKey>;
  iterator: Iterator<StateKey> | undefined = undefined;
  constructor(first: StateKey, second: StateKey) {
    this.keys = new Set([first, second]);
  }
}

type Bucket = StateKey | Group;

export class Buckets {
  private readonly byTime = new Map<number, Bucket>();
  private heap = new MinHeap<number>((a, b) => a < b);
  /** Live timers. */
  live = 0;
  /** Timestamp of the key `popDue` returned last. */
  poppedAt = 0;
  /** The group `add` used last, and its time (NaN: none). */
  private addTime = Number.NaN;
  private addGroup: Group | undefined = undefined;
  /** The group `popDue` pops from, and its time (NaN: none). */
  private popTime = Number.NaN;
  private popGroup: Group | undefined = undefined;

  add(key: StateKey, timestamp: number): boolean {
    let group: Group;
    if (timestamp === this.addTime) group = this.addGroup!;
    else {
      const bucket = this.byTime.get(timestamp);
      if (bucket === undefined) {
        this.byTime.set(timestamp, key);
        this.heap.push(timestamp);
        this.live++;
        return true;
      }
      if (typeof bucket !== 'object') {
        if (bucket === key) return false;
        group = new Group(bucket, key);
        this.byTime.set(timestamp, group);
        this.remember(timestamp, group);
        this.live++;
        return true;
      }
      group = bucket;
      this.remember(timestamp, group);
    }
    // One probe: adding a key already there changes neither the size nor its place.
    const size = group.keys.size;
    if (group.keys.add(key).size === size) return false;
    this.live++;
    return true;
  }

  private remember(timestamp: number, group: Group): void {
    this.addTime = timestamp;
    this.addGroup = group;
  }

  /** `byTime` no longer has `timestamp`: forgets the groups remembered at it. */
  private gone(timestamp: number): void {
    this.byTime.delete(timestamp);
    if (timestamp === this.addTime) {
      this.addTime = Number.NaN;
      this.addGroup = undefined;
    }
    if (timestamp === this.popTime) {
      this.popTime = Number.NaN;
      this.popGroup = undefined;
    }
  }

  has(key: StateKey, timestamp: number): boolean {
    const bucket = this.byTime.get(timestamp);
    return bucket === key || (bucket instanceof Group && bucket.keys.has(key));
  }

  remove(key: StateKey, timestamp: number): void {
    const bucket = this.byTime.get(timestamp);
    if (bucket === undefined) return;
    if (typeof bucket !== 'object') {
      if (bucket !== key) return;
      this.gone(timestamp);
    } else {
      if (!bucket.keys.delete(key)) return;
      if (bucket.keys.size === 0) this.gone(timestamp);
    }
    this.live--;
    this.compactIfSparse();
  }

  /** Removes and returns the next key due at or before `bound` (its time in `poppedAt`). */
  popDue(bound: number): StateKey | undefined {
    for (let top = this.heap.peek(); top !== undefined && top <= bound; top = this.heap.peek()) {
      const bucket = top === this.popTime ? this.popGroup! : this.byTime.get(top);
      if (bucket === undefined) {
        this.heap.pop();
        continue;
      }
      let key: StateKey;
      if (typeof bucket !== 'object') {
        key = bucket;
        this.gone(top);
        this.heap.pop();
      } else {
        this.popTime = top;
        this.popGroup = bucket;
        let next = (bucket.iterator ??= bucket.keys.values()).next();
        if (next.done) next = (bucket.iterator = bucket.keys.values()).next(); // not expected: keys left ⇒ ahead of it
        key = next.value as StateKey;
        bucket.keys.delete(key);
        if (bucket.keys.size === 0) {
          this.gone(top);
          this.heap.pop();
        }
      }
      this.live--;
      this.poppedAt = top;
      return key;
    }
    return undefined;
  }

  nextTime(): number | undefined {
    for (let top = this.heap.peek(); top !== undefined; top = this.heap.peek()) {
      if (this.byTime.has(top)) return top;
      this.heap.pop();
    }
    return undefined;
  }

  /** Every live timer, in firing order. */
  forEach(visit: (key: StateKey, timestamp: number) => void): void {
    const times = [...this.byTime.keys()].sort((a, b) => a - b);
    for (const t of times) {
      const bucket = this.byTime.get(t)!;
      if (typeof bucket !== 'object') visit(bucket, t);
      else for (const key of bucket.keys) visit(key, t);
    }
  }

  clear(): void {
    this.byTime.clear();
    this.addTime = this.popTime = Number.NaN;
    this.addGroup = this.popGroup = undefined;
    this.heap = new MinHeap<number>((a, b) => a < b);
    this.live = 0;
  }

  /** Drops dead timestamps from the heap once they outnumber the live ones. */
  private compactIfSparse(): void {
    const dead = this.heap.size - this.byTime.size;
    if (dead > 1024 && dead > this.byTime.size) this.heap.rebuild([...this.byTime.keys()]);
  }
}
