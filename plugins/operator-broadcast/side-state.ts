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
}

export class SideState {
  readonly versions = new Map<string, Version[]>();
  /** By deadline, then arrival. */
  private waiting: Waiting[] = [];
  private readonly waitingByKey = new Map<string, Waiting[]>();

  /** The version effective at `t`: the one with the largest `from` ≤ t. */
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
    return lo === 0 ? undefined : list[lo - 1];
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

  /** Waiting records whose deadline is ≤ `watermark`, removed. */
  expire(watermark: number): Waiting[] {
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

  get waitingCount(): number {
    let n = 0;
    for (const list of this.waitingByKey.values()) n += list.length;
    return n;
  }

  snapshot(): SideSnapshot {
    return {
      versions: [...this.versions],
      waiting: this.waiting.filter((w) => !w.done).map(({ key, t, v, p, deadline }) => ({ key, t, v, p, deadline })),
    };
  }

  restore(snapshot: SideSnapshot): void {
    this.versions.clear();
    for (const [k, list] of snapshot.versions) this.versions.set(k, list);
    this.waiting = [];
    this.waitingByKey.clear();
    for (const w of snapshot.waiting) this.wait({ ...w, done: false });
  }
}
