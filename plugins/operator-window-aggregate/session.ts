/**
 * Session merging over a key's packed windows (`packed.ts`): the window a record at `t`
 * opens, [t, t + gap), merges every session it touches (Flink's `TimeWindow.intersects`:
 * windows that only touch merge too).
 */
import { END, HEADER, START, type Packed } from './packed.ts';

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
