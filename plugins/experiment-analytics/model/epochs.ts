/**
 * Epochs and segments of an experiment (docs/architecture.md §8).
 *
 * The first epoch starts at the launch (the first ramp). A later ramp starts a new epoch
 * only if it comes at or after the current epoch's start + 3 days; otherwise it starts a
 * new segment of the current epoch (the allocation changed; counts go on). An epoch covers
 * [start, start + 3 days); an event time outside every epoch belongs to none (the job
 * counts such activations as `untracked_triggers`).
 *
 * Only ramps at or before `ts` decide where `ts` falls, so any metadata version that knows
 * every ramp up to `ts` gives the same answer as the full history.
 */
import { EPOCH_MS } from './types.ts';
import type { EpochSlot, Ramp } from './types.ts';

/** Whatever carries a ramp history, launch first, times strictly increasing. */
export interface HasRamps {
  readonly ramps: readonly Ramp[];
}

/** The epoch and segment `ts` falls in, or undefined when it is outside every epoch. */
export function epochOf(meta: HasRamps, ts: number): EpochSlot | undefined {
  const { ramps } = meta;
  if (ramps.length === 0 || ts < ramps[0]!.ts) return undefined;
  let epochStart = ramps[0]!.ts;
  let segment = 0;
  let segmentRamp = ramps[0]!;
  for (let i = 1; i < ramps.length; i++) {
    const r = ramps[i]!;
    if (r.ts > ts) break;
    if (r.ts >= epochStart + EPOCH_MS) {
      epochStart = r.ts;
      segment = 0;
    } else segment++;
    segmentRamp = r;
  }
  if (ts >= epochStart + EPOCH_MS) return undefined;
  return { epoch_start: epochStart, epoch_end: epochStart + EPOCH_MS, segment, segment_start: segmentRamp.ts, weights: segmentRamp.weights };
}

/** One segment of the history, with its exclusive end (the next ramp, or the epoch's end). */
export interface Segment extends EpochSlot {
  readonly segment_end: number;
}

/** Every segment of the history in time order: what `epochOf` answers, listed. */
export function segmentsOf(meta: HasRamps): Segment[] {
  const out: Segment[] = [];
  for (const r of meta.ramps) {
    const slot = epochOf(meta, r.ts)!;
    const prev = out[out.length - 1];
    if (prev && prev.epoch_start === slot.epoch_start) out[out.length - 1] = { ...prev, segment_end: r.ts };
    out.push({ ...slot, segment_end: slot.epoch_end });
  }
  return out;
}

/**
 * A lookup table over one ramp history for hot paths (many records, one metadata
 * version): `segmentsOf` once, then a binary search per call instead of a walk.
 */
export class EpochIndex {
  private readonly segments: readonly Segment[];
  private readonly starts: Float64Array;

  constructor(meta: HasRamps) {
    this.segments = segmentsOf(meta);
    this.starts = Float64Array.from(this.segments, (s) => s.segment_start);
  }

  /** Same answer as `epochOf(meta, ts)`. */
  lookup(ts: number): EpochSlot | undefined {
    const { starts } = this;
    let lo = 0;
    let hi = starts.length - 1;
    if (hi < 0 || ts < starts[0]!) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= ts) lo = mid;
      else hi = mid - 1;
    }
    const s = this.segments[lo]!;
    return ts < s.segment_end ? s : undefined;
  }
}
