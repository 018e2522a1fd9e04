/**
 * A key's buffered records, per side, sorted by event time (equal times in arrival order),
 * in two arrays a side: the times (unboxed doubles, 8 bytes a record) and, interleaved,
 * each record's row and provenance (`[row₀, prov₀, row₁, prov₁, …]`). A buffered record
 * costs ~16 bytes beyond its row and provenance, and a key with one side buffered is five
 * heap objects (this object, two arrays and their stores), not an entry object per record
 * with a boxed time. Lookups are binary searches, so a match costs O(log n + matches), not a
 * scan of the buffer (the problem of FLINK-16392).
 */
import type { ProvenanceRef, Row } from '../../core/api/index.ts';

/** The join's keyed state: a side's arrays are undefined while it has no record. */
export interface Buffers {
  lt: number[] | undefined;
  lv: unknown[] | undefined;
  rt: number[] | undefined;
  rv: unknown[] | undefined;
  /**
   * The latest timer time registered for the key since these buffers were made (undefined:
   * not known, e.g. state from a checkpoint of a version without it). The join never deletes
   * a timer and a key's timers fire in time order, so one at `tm` is still to fire while
   * `tm` is after the timer firing now.
   */
  tm: number | undefined;
}

export const emptyBuffers = (): Buffers => ({ lt: undefined, lv: undefined, rt: undefined, rv: undefined, tm: undefined });

/** The row and provenance of record `i` of a side. */
export const rowAt = (vals: readonly unknown[], i: number): Row => vals[2 * i] as Row;
export const provenanceAt = (vals: readonly unknown[], i: number): ProvenanceRef => vals[2 * i + 1] as ProvenanceRef;

/** First index whose time is ≥ `t`. */
export function lowerBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose time is > `t`. */
export function upperBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Below this many records a side's arrays are reallocated at their exact length on insert. */
const SMALL = 8;

/**
 * Inserts a record into side `left` of `b`, after every record with time ≤ `t` (stable; in-order
 * arrivals append). A small side is copied into arrays of the exact new length: growing by
 * `push` reserves 16 spare slots, which would cost more than the records themselves when a
 * key buffers one or two.
 */
export function insertSorted(b: Buffers, left: boolean, t: number, v: Row, p: ProvenanceRef): void {
  const times = left ? b.lt : b.rt;
  const vals = left ? b.lv : b.rv;
  const n = times === undefined ? 0 : times.length;
  const at = n === 0 || times![n - 1]! <= t ? n : upperBound(times!, t);
  if (n >= SMALL) {
    if (at === n) {
      times!.push(t);
      vals!.push(v, p);
    } else {
      times!.splice(at, 0, t);
      vals!.splice(2 * at, 0, v, p);
    }
    return;
  }
  if (n === 0) {
    // A side's first record, the common case: array literals, one allocation site each, which
    // V8 allocates straight into the old generation once it sees their arrays survive.
    if (left) {
      b.lt = [t];
      b.lv = [v, p];
    } else {
      b.rt = [t];
      b.rv = [v, p];
    }
    return;
  }
  const nt = new Array<number>(n + 1);
  const nv = new Array<unknown>(2 * n + 2);
  for (let i = 0, j = 0; i <= n; i++) {
    if (i === at) {
      nt[i] = t;
      nv[2 * i] = v;
      nv[2 * i + 1] = p;
    } else {
      nt[i] = times![j]!;
      nv[2 * i] = vals![2 * j];
      nv[2 * i + 1] = vals![2 * j + 1];
      j++;
    }
  }
  if (left) {
    b.lt = nt;
    b.lv = nv;
  } else {
    b.rt = nt;
    b.rv = nv;
  }
}

/** Removes the first `n` records. */
export function dropFirst(times: number[], vals: unknown[], n: number): void {
  // Moved down in place: `splice` would also build an array of what it removes.
  if (n < times.length) {
    times.copyWithin(0, n);
    vals.copyWithin(0, 2 * n);
  }
  times.length -= n;
  vals.length -= 2 * n;
}

/** First index of the records with time in [from, to] (`from` inclusive or not). */
export const rangeStart = (times: readonly number[], from: number, inclusive: boolean): number =>
  inclusive ? lowerBound(times, from) : upperBound(times, from);

/** End (exclusive) of the records with time in [from, to] (`to` inclusive or not). */
export const rangeEnd = (times: readonly number[], to: number, inclusive: boolean): number =>
  inclusive ? upperBound(times, to) : lowerBound(times, to);
