/**
 * A side's buffer for one key: entries sorted by event time, equal times in arrival order.
 * Lookups are binary searches, so a match costs O(log n + matches), not a scan of the
 * buffer (the problem of FLINK-16392).
 */
import type { ProvenanceRef, Row } from '../../core/api/index.ts';

export interface Entry {
  readonly t: number;
  readonly v: Row;
  readonly p: ProvenanceRef;
}

/** First index whose time is ≥ `t`. */
export function lowerBound(entries: readonly Entry[], t: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose time is > `t`. */
export function upperBound(entries: readonly Entry[], t: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts after every entry with time ≤ its own (stable); in-order arrivals append. */
export function insertSorted(entries: Entry[], entry: Entry): void {
  const n = entries.length;
  if (n === 0 || entries[n - 1]!.t <= entry.t) entries.push(entry);
  else entries.splice(upperBound(entries, entry.t), 0, entry);
}

/** The index range of entries with time in [from, to], each end inclusive or not. */
export function range(entries: readonly Entry[], from: number, fromInclusive: boolean, to: number, toInclusive: boolean): [number, number] {
  const start = fromInclusive ? lowerBound(entries, from) : upperBound(entries, from);
  const end = toInclusive ? upperBound(entries, to) : lowerBound(entries, to);
  return [start, Math.max(start, end)];
}
