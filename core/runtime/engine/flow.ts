/**
 * Flow control shared by the stages of one job: the items in flight (queued or being
 * handled), so an aligned checkpoint can wait until the graph is drained; the items being
 * handled, so an unaligned one can wait until every stage is between two items
 * (`quiesce`); and the freeze gate that keeps operators and sinks from taking another
 * item while a checkpoint snapshots them.
 */
import type { SpanContext } from '@opentelemetry/api';
import type { Batch } from '../../api/index.ts';
import type { BoundedQueue } from './queue.ts';

/**
 * What travels on an edge: a batch, then (optionally) the watermark of the producer after
 * it, then (optionally) the end of the stream. One item per batch keeps the order of
 * docs/architecture.md §3: the consumer judges the records against its old watermark, then advances.
 */
export interface StreamItem {
  readonly batch?: Batch;
  readonly watermark?: number;
  readonly end?: boolean;
  /**
   * The span context of the stage that made this item (docs/architecture.md §6): the
   * consumer's span for it is its child. Absent when batch tracing is off.
   */
  readonly trace?: SpanContext;
  /** Processing time (epoch ms) at which the source read the oldest record behind this item. */
  readonly readAt?: number;
}

export class Flow {
  /** Items pushed and not yet fully handled by their consumer. */
  private inFlight = 0;
  /** Items taken from a queue and not yet fully handled (a stage is inside them). */
  private busy = 0;
  private drainWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private freezeWaiters: (() => void)[] = [];
  /** Stages holding records back (mini-batch compaction): told to let go when the job drains. */
  private readonly flushers: (() => number)[] = [];
  private frozen: Promise<void> | undefined;
  private thaw: (() => void) | undefined;

  pushed(n = 1): void {
    this.inFlight += n;
  }

  /** A stage took an item from its queue (checked against the freeze first); `handled` ends it. */
  taken(): void {
    this.busy++;
  }

  /** The consumer is done with one item, its outputs already pushed. */
  handled(): void {
    this.inFlight--;
    if (this.busy > 0) this.busy--;
    if (this.inFlight === 0 && this.drainWaiters.length) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
    if (this.busy === 0 && this.idleWaiters.length) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  get pending(): number {
    return this.inFlight;
  }

  /** Registers a stage that holds records back; `flush` pushes them and returns how many it pushed. */
  onDrain(flush: () => number): void {
    this.flushers.push(flush);
  }

  /**
   * Resolves when nothing is in flight and no stage holds records back (the caller has
   * stopped the producers). Held records are flushed, and again after their consumers,
   * which may hold what they made of them, are done.
   */
  async drained(): Promise<void> {
    for (;;) {
      const flushed = this.flushHeld();
      if (this.inFlight === 0 && flushed === 0) return;
      if (this.inFlight > 0) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    }
  }

  /**
   * Freezes the stages and resolves once none is inside an item: every item in flight is
   * then in a queue (the caller has paused the producers). Holders are not flushed here
   * (`flushHeld`). The pause this costs is the longest single item being handled, not the
   * queues' contents.
   */
  async quiesce(): Promise<void> {
    this.freeze();
    while (this.busy > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Lets every holder push what it holds into its queues; returns how many records went. */
  flushHeld(): number {
    let flushed = 0;
    for (const flush of this.flushers) flushed += flush();
    return flushed;
  }

  freeze(): void {
    if (this.frozen) return;
    this.frozen = new Promise((resolve) => {
      this.thaw = resolve;
    });
    const told = this.freezeWaiters;
    this.freezeWaiters = [];
    for (const w of told) w();
  }

  /**
   * Calls `told` at the next freeze (the caller checks `whileFrozen` first); returns a function
   * that forgets it. A stage waiting for room in the middle of an item stops waiting then,
   * since frozen consumers make none.
   */
  onFreeze(told: () => void): () => void {
    this.freezeWaiters.push(told);
    return () => {
      const i = this.freezeWaiters.indexOf(told);
      if (i >= 0) this.freezeWaiters.splice(i, 1);
    };
  }

  unfreeze(): void {
    const thaw = this.thaw;
    this.frozen = undefined;
    this.thaw = undefined;
    thaw?.();
  }

  /** Undefined when not frozen; else resolves at `unfreeze`. */
  whileFrozen(): Promise<void> | undefined {
    return this.frozen;
  }
}

/** One output stream of a stage, fanned out to the queues of its consumers. */
export class Outlet {
  constructor(
    readonly name: string,
    readonly queues: readonly BoundedQueue<StreamItem>[],
    private readonly flow: Flow,
  ) {}

  get connected(): boolean {
    return this.queues.length > 0;
  }

  push(item: StreamItem): void {
    for (const q of this.queues) {
      this.flow.pushed();
      q.push(item);
    }
  }

  /** Resolves when every consumer queue has room; undefined when they already have. */
  space(): Promise<void> | undefined {
    let waits: Promise<void>[] | undefined;
    for (const q of this.queues) {
      const w = q.space();
      if (w) (waits ??= []).push(w);
    }
    if (!waits) return undefined;
    return waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
  }
}

/**
 * Undefined when every outlet has room (no await, no microtask on the hot path); else a
 * promise that resolves once they all have (re-checked: another producer may fill one).
 */
export function awaitSpace(outlets: readonly Outlet[]): Promise<void> | undefined {
  for (const o of outlets) {
    const wait = o.space();
    if (wait) return wait.then(() => awaitSpace(outlets));
  }
  return undefined;
}
