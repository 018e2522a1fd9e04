/**
 * Broadcast state: versions of each side entry by the time they are effective from, and
 * the main records waiting for an entry. Operator-local (not keyed); snapshotted whole.
 */
import type { ProvenanceRef, Row } from '../../core/api/index.ts';

export interface Version {
  readonly from: number;
  readonly value: Row;
}

export interface Waiting {
  readonly key: string;
  readonly t: number;
  readonly v: Row;
  readonly p: ProvenanceRef;
  readonly deadline: number;
  done: boolean;
}

export interface SideSnapshot {
  readonly versions: [string, Version[]][];
  readonly waiting: Omit<Waiting, 'done'>[];
  /** A side record was seen (absent in snapshots of older versions). */
  readonly sideStarted?: boolean;
}

export class SideState {
  readonly versions = new Map<string, Version[]>();
  /** By deadline, then arrival. */
  private waiting: Waiting[] = [];
  private readonly waitingByKey = new Map<string, Waiting[]>();
  /** The side input has delivered a record. */
  sideStarted = false;

  /** @param earliest A time before an entry's first version gets that first version (else: none yet). */
  constructor(private readonly earliest = false) {}

  /** The version effective at `t`: the one with the largest `from` ≤ t (or, with `earliest`, the first). */
  at(key: string, t: number): Version | undefined {
    const list = this.versions.get(key);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.from <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? list[lo - 1] : this.earliest ? list[0] : undefined;
  }

  /** Adds a version; one with the same `from` replaces it. */
  put(key: string, version: Version): void {
    let list = this.versions.get(key);
    if (!list) this.versions.set(key, (list = []));
    let i = list.length;
    while (i > 0 && list[i - 1]!.from > version.from) i--;
    if (i > 0 && list[i - 1]!.from === version.from) list[i - 1] = version;
    else list.splice(i, 0, version);
  }

  wait(w: Waiting): void {
    let i = this.waiting.length;
    while (i > 0 && this.waiting[i - 1]!.deadline > w.deadline) i--;
    this.waiting.splice(i, 0, w);
    let list = this.waitingByKey.get(w.key);
    if (!list) this.waitingByKey.set(w.key, (list = []));
    list.push(w);
  }

  /** Waiting records of `key` that now have a version, in arrival order (marked done). */
  resolve(key: string): [Waiting, Version][] {
    const list = this.waitingByKey.get(key);
    if (!list) return [];
    const out: [Waiting, Version][] = [];
    const rest: Waiting[] = [];
    for (const w of list) {
      const version = w.done ? undefined : this.at(key, w.t);
      if (version) {
        w.done = true;
        out.push([w, version]);
      } else if (!w.done) rest.push(w);
    }
    if (rest.length) this.waitingByKey.set(key, rest);
    else this.waitingByKey.delete(key);
    return out;
  }

  /**
   * Waiting records whose deadline is ≤ `watermark`, removed; with `needSide`, none before the
   * side input has delivered a record (unless the watermark is +∞: the end of input).
   */
  expire(watermark: number, needSide = false): Waiting[] {
    if (needSide && !this.sideStarted && watermark !== Number.POSITIVE_INFINITY) return [];
    let n = 0;
    while (n < this.waiting.length && this.waiting[n]!.deadline <= watermark) n++;
    if (n === 0) return [];
    const due = this.waiting.splice(0, n).filter((w) => !w.done);
    for (const w of due) {
      w.done = true;
      const list = this.waitingByKey.get(w.key)!.filter((x) => !x.done);
      if (list.length) this.waitingByKey.set(w.key, list);
      else this.waitingByKey.delete(w.key);
    }
    if (this.waiting.length > 1024 && this.waiting.some((w) => w.done)) this.waiting = this.waiting.filter((w) => !w.done);
    return due;
  }

  /** Event time of the earliest waiting record; +∞ when none waits. */
  earliestWaiting(): number {
    let min = Number.POSITIVE_INFINITY;
    // Sorted by deadline = t + max_wait, so the first record not done is the earliest; done
    // ones are dropped from the front as they are met.
    while (this.waiting.length > 0 && this.waiting[0]!.done) this.waiting.shift();
    if (this.waiting.length > 0) min = this.waiting[0]!.t;
    return min;
  }

  get waitingCount(): number {
    let n = 0;
    for (const list of this.waitingByKey.values()) n += list.length;
    return n;
  }

  snapshot(): SideSnapshot {
    return {
      versions: [...this.versions],
      waiting: this.waiting.filter((w) => !w.done).map(({ key, t, v, p, deadline }) => ({ key, t, v, p, deadline })),
      sideStarted: this.sideStarted,
    };
  }

  restore(snapshot: SideSnapshot): void {
    this.versions.clear();
    for (const [k, list] of snapshot.versions) this.versions.set(k, list);
    this.waiting = [];
    this.waitingByKey.clear();
    this.sideStarted = snapshot.sideStarted ?? this.versions.size > 0;
    for (const w of snapshot.waiting) this.wait({ ...w, done: false });
  }
}
