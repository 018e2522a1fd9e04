/**
 * A bounded FIFO between two stages of a job (one per edge of the graph), capacity counted
 * in batches. The producer awaits `space()` before it pushes, so a slow consumer slows
 * every stage upstream of it and memory stays bounded; the consumer is woken through its
 * `Signal` when an item arrives.
 *
 * Single-threaded by construction: `push` and `shift` are synchronous, only the waits are
 * promises, and there is at most one waiting producer (the stage feeding this edge).
 */

/** Wakes one waiting task; several `notify` calls before a wait collapse into one wake. */
export class Signal {
  private pending = false;
  private waiter: (() => void) | undefined;

  notify(): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter();
    } else {
      this.pending = true;
    }
  }

  /** Resolves at the next `notify` (at once if one came since the last wait). */
  wait(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}

export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private spaceWaiters: (() => void)[] = [];
  /** Most items held at once since the job started. */
  peak = 0;

  constructor(
    /** For metrics and errors: `source.out -> op[0]`. */
    readonly name: string,
    readonly capacity: number,
    /** Notified on every push: the consumer's wake-up. */
    private readonly consumer: Signal,
  ) {
    if (!(capacity >= 1)) throw new RangeError(`queue ${name}: capacity must be at least 1`);
  }

  get depth(): number {
    return this.items.length - this.head;
  }

  get full(): boolean {
    return this.depth >= this.capacity;
  }

  /** Resolves once the queue has room for one more item. */
  space(): Promise<void> | undefined {
    if (!this.full) return undefined;
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  /**
   * Appends an item. Over capacity is allowed (a producer that must not block, e.g. the
   * late output fed by the operator host) but a producer that honours back-pressure awaits
   * `space()` first.
   */
  push(item: T): void {
    this.items.push(item);
    const depth = this.depth;
    if (depth > this.peak) this.peak = depth;
    this.consumer.notify();
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    (this.items as (T | undefined)[])[this.head] = undefined;
    this.head++;
    // Compact now and then so the array does not grow without bound.
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.spaceWaiters.length && !this.full) {
      const waiters = this.spaceWaiters;
      this.spaceWaiters = [];
      for (const w of waiters) w();
    }
    return item;
  }

  /** The items held now, oldest first (a copy of the list; the items themselves are shared). */
  snapshot(): T[] {
    return this.items.slice(this.head);
  }

  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }
}
