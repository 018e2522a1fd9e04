/**
 * The memory backend's table storage: a map from state keys to values that holds the keys
 * that are small non-negative integers in an array indexed by the key itself, and every
 * other key in a `Map`.
 *
 * Why: an operator with integer keys (docs/architecture.md, "Integer keys") over ids from a
 * sequence (user 1 … user N) looks its keys up at random among millions. A `Map` lookup
 * hashes the key, reads its bucket, then the entry the bucket points to: dependent reads,
 * each a cache miss at that size. An array read at the key is one.
 *
 * The array covers the keys [0, capacity), the capacity a power of two. It grows only while
 * the integer keys held (those in the `Map` included) would use at least a quarter of its
 * slots, so sparse integers (timestamps, hashes, large ids) never make a large array: they
 * stay in the `Map`, and the array costs at most 32 bytes per key it holds. When it grows,
 * the `Map`'s keys it now covers move into it: a key lives in exactly one of the two. A free
 * slot holds a private marker, so a value may be `undefined`, as in a `Map`.
 *
 * Keys are the `Map`'s (SameValueZero): `-0` is `0`. Iteration gives the array's keys in
 * ascending order, then the `Map`'s in insertion order; nothing in the runtime depends on
 * the order of a table's keys.
 */
import type { StateKey } from '../../api/state.ts';

const FREE: unique symbol = Symbol('free');
type Slot<V> = V | typeof FREE;

/** The array's first capacity, and the one it may have whatever the density. */
const MIN_CAPACITY = 1024;
/** Integer keys at or above this always stay in the `Map` (the array would be 1 GB). */
const MAX_CAPACITY = 2 ** 27;
/** The array grows while the integer keys held fill at least 1/`SPARSEST` of its slots. */
const SPARSEST = 4;

/** `key` as an array index (a non-negative integer below 2³²), else −1. */
const indexOf = (key: StateKey): number => (typeof key === 'number' && key >>> 0 === key ? key : -1);

export class StateKeyMap<V> {
  private readonly others = new Map<StateKey, V>();
  private slots: Slot<V>[] = [];
  /** Keys held in `slots`. */
  private inSlots = 0;
  /** Keys held in `others` that `indexOf` takes: they move into `slots` when it covers them. */
  private indexedInOthers = 0;

  get size(): number {
    return this.inSlots + this.others.size;
  }

  get(key: StateKey): V | undefined {
    if (typeof key === 'number' && key >>> 0 === key && key < this.slots.length) {
      const value = this.slots[key]!;
      return value === FREE ? undefined : value;
    }
    return this.others.get(key);
  }

  has(key: StateKey): boolean {
    const i = indexOf(key);
    if (i >= 0 && i < this.slots.length) return this.slots[i] !== FREE;
    return this.others.has(key);
  }

  set(key: StateKey, value: V): this {
    const i = indexOf(key);
    if (i >= 0) {
      if (i >= this.slots.length) this.grow(i);
      if (i < this.slots.length) {
        if (this.slots[i] === FREE) this.inSlots++;
        this.slots[i] = value;
        return this;
      }
      if (!this.others.has(key)) this.indexedInOthers++;
    }
    this.others.set(key, value);
    return this;
  }

  delete(key: StateKey): boolean {
    const i = indexOf(key);
    if (i >= 0 && i < this.slots.length) {
      if (this.slots[i] === FREE) return false;
      this.slots[i] = FREE;
      this.inSlots--;
      return true;
    }
    const deleted = this.others.delete(key);
    if (deleted && i >= 0) this.indexedInOthers--;
    return deleted;
  }

  clear(): void {
    this.others.clear();
    this.slots = [];
    this.inSlots = 0;
    this.indexedInOthers = 0;
  }

  *keys(): IterableIterator<StateKey> {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) if (slots[i] !== FREE) yield i;
    yield* this.others.keys();
  }

  *values(): IterableIterator<V> {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const value = slots[i]!;
      if (value !== FREE) yield value;
    }
    yield* this.others.values();
  }

  *entries(): IterableIterator<[StateKey, V]> {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const value = slots[i]!;
      if (value !== FREE) yield [i, value];
    }
    yield* this.others.entries();
  }

  [Symbol.iterator](): IterableIterator<[StateKey, V]> {
    return this.entries();
  }

  /** Every key and its value, by position, in iteration order: a checkpoint's barrier copy, without an iterator step per key. */
  copy(): { keys: StateKey[]; values: V[] } {
    const n = this.size;
    const keys = new Array<StateKey>(n);
    const values = new Array<V>(n);
    const slots = this.slots;
    let at = 0;
    for (let i = 0; at < this.inSlots && i < slots.length; i++) {
      const value = slots[i]!;
      if (value === FREE) continue;
      keys[at] = i;
      values[at++] = value;
    }
    for (const [key, value] of this.others) {
      keys[at] = key;
      values[at++] = value;
    }
    return { keys, values };
  }

  /** About `n` entries spread evenly over the keys in iteration order (every size/n-th), for size estimates. */
  sample(n: number): [StateKey, V][] {
    const out: [StateKey, V][] = [];
    const step = Math.max(1, Math.floor(this.size / n));
    const slots = this.slots;
    let seen = 0;
    for (let i = 0; i < slots.length && out.length < n; i++) {
      const value = slots[i]!;
      if (value !== FREE && seen++ % step === 0) out.push([i, value]);
    }
    for (const entry of this.others) {
      if (out.length >= n) break;
      if (seen++ % step === 0) out.push(entry);
    }
    return out;
  }

  /** Grows the array to cover index `i` when the integer keys held stay dense enough; moves the `Map`'s keys it then covers. */
  private grow(i: number): void {
    let capacity = Math.max(MIN_CAPACITY, this.slots.length);
    while (capacity <= i) capacity *= 2;
    if (capacity > MAX_CAPACITY) return;
    if (capacity > MIN_CAPACITY && capacity > SPARSEST * (this.inSlots + this.indexedInOthers + 1)) return;
    const slots = new Array<Slot<V>>(capacity).fill(FREE);
    for (let j = 0; j < this.slots.length; j++) slots[j] = this.slots[j]!;
    if (this.indexedInOthers > 0) {
      for (const [key, value] of this.others) {
        const k = indexOf(key);
        if (k < 0 || k >= capacity) continue;
        slots[k] = value;
        this.others.delete(key);
        this.inSlots++;
        this.indexedInOthers--;
      }
    }
    this.slots = slots;
  }
}
