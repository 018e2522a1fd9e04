/**
 * A key's windows, packed into one flat array (its only keyed state besides the rare
 * key-values fallback):
 *
 *   [keyCode, s₀, e₀, flags₀, acc₀…, s₁, e₁, flags₁, acc₁…, …]
 *
 * `keyCode` is `key-values.ts`'s code; each window takes `stride` = 3 + one slot per
 * aggregate: start, end, flags (`FIRED`: emitted before, so the next emission is an
 * update; `PENDING`: changed since last emitted) and the accumulators. With count, sum,
 * min and max every element is a number and V8 keeps the array unboxed (8 bytes a slot),
 * so a key with one such window costs about 100 bytes, and adding a record allocates
 * nothing. Windows are updated in place; the caller writes the array back once per record.
 */
export const FIRED = 1;
export const PENDING = 2;

/** Offset of a window's fields. */
export const START = 0;
export const END = 1;
export const FLAGS = 2;
export const ACC = 3;

/** First window's offset. */
export const HEADER = 1;

export type Packed = unknown[];

export const strideOf = (aggregates: number): number => ACC + aggregates;

/** Offset of the window whose id (start, or end when `byEnd`) is `id`; −1 when none. */
export function findWindow(p: Packed, stride: number, id: number, byEnd: boolean): number {
  const field = byEnd ? END : START;
  for (let o = HEADER; o < p.length; o += stride) if (p[o + field] === id) return o;
  return -1;
}

/**
 * A new key's array holding one window with fresh accumulators, allocated at its exact
 * length (growing an array by `push` would reserve 16 spare slots, 128 bytes a key).
 *
 * Up to six aggregates the array is an array literal, one per length: each literal is an
 * allocation site of its own, and V8 allocates the arrays of a site whose arrays survive
 * (as key state does) straight into the old generation, where they are not copied by every
 * young-generation collection on their way there (~1.1× events per CPU-second over 1 M keys).
 */
export function firstWindow(keyCode: number, start: number, end: number, fresh: readonly (() => unknown)[]): Packed {
  const f = fresh;
  switch (f.length) {
    case 1: return [keyCode, start, end, PENDING, f[0]!()];
    case 2: return [keyCode, start, end, PENDING, f[0]!(), f[1]!()];
    case 3: return [keyCode, start, end, PENDING, f[0]!(), f[1]!(), f[2]!()];
    case 4: return [keyCode, start, end, PENDING, f[0]!(), f[1]!(), f[2]!(), f[3]!()];
    case 5: return [keyCode, start, end, PENDING, f[0]!(), f[1]!(), f[2]!(), f[3]!(), f[4]!()];
    case 6: return [keyCode, start, end, PENDING, f[0]!(), f[1]!(), f[2]!(), f[3]!(), f[4]!(), f[5]!()];
  }
  const p = new Array<unknown>(HEADER + ACC + f.length);
  p[0] = keyCode;
  p[HEADER + START] = start;
  p[HEADER + END] = end;
  p[HEADER + FLAGS] = PENDING;
  for (let i = 0; i < f.length; i++) p[HEADER + ACC + i] = f[i]!();
  return p;
}

/** Appends a window with fresh accumulators; returns its offset. */
export function appendWindow(p: Packed, start: number, end: number, fresh: readonly (() => unknown)[]): number {
  const o = p.length;
  p.push(start, end, PENDING);
  for (const create of fresh) p.push(create());
  return o;
}

/** Removes the windows at the given offsets (any order), keeping the others in order. */
export function removeWindows(p: Packed, stride: number, offsets: readonly number[]): void {
  if (offsets.length === 0) return;
  if (offsets.length * stride === p.length - HEADER) {
    p.length = HEADER;
    return;
  }
  if (offsets.length === 1) {
    p.splice(offsets[0]!, stride);
    return;
  }
  const gone = new Set(offsets);
  let to = HEADER;
  for (let from = HEADER; from < p.length; from += stride) {
    if (gone.has(from)) continue;
    if (to !== from) for (let j = 0; j < stride; j++) p[to + j] = p[from + j];
    to += stride;
  }
  p.length = to;
}

/** Number of windows held. */
export const windowCount = (p: Packed, stride: number): number => (p.length - HEADER) / stride;
