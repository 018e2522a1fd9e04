/**
 * Window assignment (Flink's assigners). Windows are [start, end); a window fires when the
 * watermark reaches end − 1 and its state is dropped when it reaches
 * end − 1 + allowed_lateness.
 */
export type WindowKind = 'tumbling' | 'sliding' | 'session' | 'cumulate';

export interface WindowShape {
  readonly kind: WindowKind;
  /** Tumbling/sliding size, cumulate max_size, session gap. */
  readonly size: number;
  /** Sliding slide, cumulate step; tumbling: size. */
  readonly slide: number;
  readonly offset: number;
}

type RawWindow =
  | { tumbling: number | { size: number; offset: number } }
  | { sliding: { size: number; slide: number; offset: number } }
  | { session: { gap: number } }
  | { cumulate: { step: number; max_size: number; offset: number } };

export function windowShape(raw: RawWindow): WindowShape {
  if ('tumbling' in raw) {
    const t = raw.tumbling;
    return typeof t === 'number' ? { kind: 'tumbling', size: t, slide: t, offset: 0 } : { kind: 'tumbling', size: t.size, slide: t.size, offset: t.offset };
  }
  if ('sliding' in raw) return { kind: 'sliding', size: raw.sliding.size, slide: raw.sliding.slide, offset: raw.sliding.offset };
  if ('session' in raw) return { kind: 'session', size: raw.session.gap, slide: 0, offset: 0 };
  return { kind: 'cumulate', size: raw.cumulate.max_size, slide: raw.cumulate.step, offset: raw.cumulate.offset };
}

/** Start of the window of length `size` aligned to `offset` that contains `t`. */
export function alignedStart(t: number, size: number, offset: number): number {
  const r = (t - offset) % size;
  return t - (r < 0 ? r + size : r);
}

/**
 * Writes the [start, end) pairs of the windows containing `t` into `out` (flat: s0, e0, s1, …)
 * and returns how many. Not for sessions, whose windows come from merging.
 */
export function assignWindows(shape: WindowShape, t: number, out: number[]): number {
  let n = 0;
  switch (shape.kind) {
    case 'tumbling': {
      const start = alignedStart(t, shape.size, shape.offset);
      out[0] = start;
      out[1] = start + shape.size;
      return 1;
    }
    case 'sliding': {
      // Latest start first, as Flink's SlidingEventTimeWindows.
      for (let start = alignedStart(t, shape.slide, shape.offset); start > t - shape.size; start -= shape.slide) {
        out[2 * n] = start;
        out[2 * n + 1] = start + shape.size;
        n++;
      }
      return n;
    }
    case 'cumulate': {
      const start = alignedStart(t, shape.size, shape.offset);
      // Every step window [start, start + k·step) with end > t.
      for (let end = start + (Math.floor((t - start) / shape.slide) + 1) * shape.slide; end <= start + shape.size; end += shape.slide) {
        out[2 * n] = start;
        out[2 * n + 1] = end;
        n++;
      }
      return n;
    }
    case 'session':
      throw new Error('session windows are merged, not assigned');
  }
}

/** The key of a window within its key's state: start, or end for cumulate (one start has several ends). */
export const windowId = (kind: WindowKind, start: number, end: number): number => (kind === 'cumulate' ? end : start);
