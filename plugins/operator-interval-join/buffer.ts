/**
 * A side's buffer for one key: its records sorted by event time (equal times in arrival
 * order), as parallel arrays: times (an unboxed double array, 8 bytes a record), rows, and
 * provenance (only once a record has some). A buffered record costs ~16 bytes beyond the
 * row itself, not an entry object and a boxed time. Lookups are binary searches, so a match
 * costs O(log n + matches), not a scan of the buffer (the problem of FLINK-16392).
 */
import type { ProvenanceRef, Row } from '../../core/api/index.ts';

export interface Side {
  readonly t: number[];
  readonly v: Row[];
  /** Parallel to `t`; undefined while no record of the side had provenance. */
  p: ProvenanceRef[] | undefined;
}

/** A key's buffered records, per side (undefined: none). The join's keyed state. */
export interface Buffers {
  l: Side | undefined;
  r: Side | undefined;
}

export const newSide = (): Side => ({ t: [], v: [], p: undefined });

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

/** Inserts after every record with time ≤ `t` (stable); in-order arrivals append. */
export function insertSorted(side: Side, t: number, v: Row, p: ProvenanceRef): void {
  const n = side.t.length;
  if (p !== undefined && side.p === undefined) side.p = new Array<ProvenanceRef>(n).fill(undefined);
  if (n === 0 || side.t[n - 1]! <= t) {
    side.t.push(t);
    side.v.push(v);
    side.p?.push(p);
    return;
  }
  const at = upperBound(side.t, t);
  side.t.splice(at, 0, t);
  side.v.splice(at, 0, v);
  side.p?.splice(at, 0, p);
}

/** Removes the first `n` records. */
export function dropFirst(side: Side, n: number): void {
  side.t.splice(0, n);
  side.v.splice(0, n);
  side.p?.splice(0, n);
}

/** The index range of records with time in [from, to], each end inclusive or not. */
export function range(times: readonly number[], from: number, fromInclusive: boolean, to: number, toInclusive: boolean): [number, number] {
  const start = fromInclusive ? lowerBound(times, from) : upperBound(times, from);
  const end = toInclusive ? upperBound(times, to) : lowerBound(times, to);
  return [start, Math.max(start, end)];
}
