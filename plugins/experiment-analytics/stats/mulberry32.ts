// A small seeded PRNG for the simulations in the tests (not used by the statistics).
// mulberry32 (Tommy Ettinger): 32-bit state, period 2^32, good enough for Monte-Carlo
// checks of this size; not cryptographic.

/** Returns a generator of uniform doubles in [0, 1), deterministic in `seed`. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
