/**
 * Counter-based randomness: every draw is a pure function of (seed, stream, index), so a
 * record depends on nothing generated before it and a restore regenerates it exactly.
 * murmur3's 32-bit finaliser over the three inputs; ~a few ns per draw, no state.
 */

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO_32 = 4_294_967_296;

/** A uniform draw in [0, 1) for draw `stream` of item `index` (any safe integer ≥ 0). */
export function unit(seed: number, stream: number, index: number): number {
  const lo = index >>> 0;
  const hi = Math.floor(index / TWO_32) >>> 0;
  let h = fmix32(seed ^ Math.imul(stream + 1, 0x9e3779b1));
  h = fmix32(h ^ lo);
  h = fmix32(h ^ Math.imul(hi + 1, 0x27d4eb2f));
  return h / TWO_32;
}

/** A uniform draw for a pair of indices (user × experiment). */
export function unit2(seed: number, stream: number, a: number, b: number): number {
  return unit(seed ^ Math.imul(b + 1, 0x165667b1), stream, a);
}

/** The 1-based rank of a uniform draw u in a cumulative table: the first entry above u (the last one at most). */
export function rankOf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo + 1;
}

/**
 * Zipf over ranks 1..n with exponent s: P(r) ∝ r^-s. A cumulative table (8 bytes a rank)
 * and a binary search per draw.
 */
export class ZipfSampler {
  private readonly cdf: Float64Array;

  constructor(n: number, s: number) {
    const cdf = new Float64Array(n);
    let sum = 0;
    for (let r = 1; r <= n; r++) cdf[r - 1] = sum += r ** -s;
    for (let i = 0; i < n; i++) cdf[i]! /= sum;
    this.cdf = cdf;
  }

  /** The rank (1-based) for a uniform draw u in [0, 1). */
  rank(u: number): number {
    return rankOf(this.cdf, u);
  }

  /** P(rank = r). */
  probability(r: number): number {
    return this.cdf[r - 1]! - (r > 1 ? this.cdf[r - 2]! : 0);
  }
}
