/**
 * A small, fast, seedable PRNG (mulberry32) that can be re-seeded per record: record `i`
 * of stream `s` under seed `k` always draws the same numbers, so a restored generator
 * regenerates exactly from its position without replaying what came before.
 */
export class Prng {
  private state = 0;

  /** Re-seeds for record `index` of stream `stream` (an output's number) under `seed`. */
  seedRecord(seed: number, stream: number, index: number): void {
    // A murmur3-style finaliser over (seed, stream, index): neighbouring indices get
    // unrelated states. `index` may pass 2^32, so its high word is mixed in too.
    let h = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) | 0;
    h = Math.imul(h ^ (index >>> 0), 0x85ebca6b);
    h ^= Math.floor(index / 4294967296);
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
    this.state = (h ^ (h >>> 16)) | 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}
