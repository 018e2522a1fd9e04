/**
 * Session merging over a key's packed windows (`packed.ts`): the window a record at `t`
 * opens, [t, t + gap), merges every session it touches (Flink's `TimeWindow.intersects`:
 * windows that only touch merge too).
 */
import type { Aggregator } from './aggregates.ts';
import { ACC, END, FIRED, FLAGS, HEADER, PENDING, removeWindows, START, type Packed } from './packed.ts';

export interface SessionMerge {
  /** The merged window. */
  start: number;
  end: number;
  /** Offsets of the sessions it absorbs, by start. */
  readonly touching: number[];
}

/** Fills `out` with the merge a record at `t` causes (`out` is reused: no allocation per record). */
export function mergeSession(p: Packed | undefined, stride: number, t: number, gap: number, out: SessionMerge): SessionMerge {
  let start = t;
  let end = t + gap;
  const touching = out.touching;
  touching.length = 0;
  if (p !== undefined) {
    for (let o = HEADER; o < p.length; o += stride) {
      const s = p[o + START] as number;
      const e = p[o + END] as number;
      if (s <= t + gap && e >= t) {
        touching.push(o);
        if (s < start) start = s;
        if (e > end) end = e;
      }
    }
  }
  if (touching.length > 1) touching.sort((a, b) => (p![a + START] as number) - (p![b + START] as number));
  out.start = start;
  out.end = end;
  return out;
}

/**
 * Rewrites the key's array in place for a merge that absorbs `merge.touching` (non-empty):
 * the first (smallest start) session takes the others' accumulators, the merged bounds and
 * flags (fired if any was); the others are removed. `deleted(offset)` is called first for
 * each absorbed session that was emitted and does not keep the merged start (its own
 * accumulators, before the merge). Returns the merged window's offset and whether an
 * absorbed session was still to fire at watermark `W` (so a timer at or before the merged
 * end − 1 exists already).
 */
export function absorbSessions(
  p: Packed, stride: number, merge: SessionMerge, aggs: readonly Aggregator[], W: number, deleted: (offset: number) => void,
): { offset: number; hasFireTimer: boolean } {
  const touching = merge.touching;
  let fired = 0;
  let hasFireTimer = false;
  for (const w of touching) {
    if ((p[w + END] as number) - 1 > W) hasFireTimer = true;
    if ((p[w + FLAGS] as number) & FIRED) {
      fired = FIRED;
      if (p[w + START] !== merge.start) deleted(w);
    }
  }
  const first = touching[0]!;
  for (let k = 1; k < touching.length; k++) {
    const w = touching[k]!;
    for (let i = 0; i < aggs.length; i++) p[first + ACC + i] = aggs[i]!.merge(p[first + ACC + i], p[w + ACC + i]);
  }
  p[first + START] = merge.start;
  p[first + END] = merge.end;
  p[first + FLAGS] = fired | PENDING;
  let offset = first;
  if (touching.length > 1) {
    const others = touching.slice(1);
    removeWindows(p, stride, others);
    for (const w of others) if (w < first) offset -= stride;
  }
  return { offset, hasFireTimer };
}
