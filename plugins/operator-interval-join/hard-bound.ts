/**
 * The hard side of `max_buffered_per_side` (issue 12). Over the bound the engine stops
 * feeding that side, but when only blocked inputs have records it feeds them anyway after a
 * short stall (so the watermark can move on and free buffers). When the watermark cannot
 * free them — an `upper` of years, one side far ahead — that alone let memory grow without
 * bound. A side holding more than `HARD_FACTOR` times the bound therefore fails the job with
 * an error naming the setting, instead of exhausting the heap.
 */
export const HARD_FACTOR = 2;

export function checkHardBound(buffered: number, max: number, input: number): void {
  if (buffered <= max * HARD_FACTOR) return;
  const side = input === 0 ? 'left' : 'right';
  throw new Error(
    `the ${side} side buffers ${buffered} records, over ${HARD_FACTOR} × max_buffered_per_side (${max}), and the watermark frees none: raise max_buffered_per_side, or narrow lower/upper so buffered records expire`,
  );
}
