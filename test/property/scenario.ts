/**
 * Random runs for the property tests: batches of out-of-order records and watermarks (per
 * input or all), ending with end of input. Watermarks are drawn as steps from the last one
 * set on that input, sometimes backwards (which must change nothing).
 */
import fc from 'fast-check';

export type Step<R> =
  | { readonly kind: 'push'; readonly input: number; readonly records: R[] }
  | { readonly kind: 'watermark'; readonly input: number | undefined; readonly delta: number };

export function steps<R>(record: fc.Arbitrary<R>, inputs: number, maxSteps = 24): fc.Arbitrary<Step<R>[]> {
  const push = fc.record({
    kind: fc.constant('push' as const),
    input: fc.integer({ min: 0, max: inputs - 1 }),
    records: fc.array(record, { minLength: 1, maxLength: 6 }),
  });
  const watermark = fc.record({
    kind: fc.constant('watermark' as const),
    input: inputs > 1 ? fc.option(fc.integer({ min: 0, max: inputs - 1 }), { nil: undefined }) : fc.constant(undefined),
    delta: fc.integer({ min: -3, max: 12 }),
  });
  return fc.array(fc.oneof({ arbitrary: push, weight: 3 }, { arbitrary: watermark, weight: 2 }), { minLength: 1, maxLength: maxSteps });
}

/** Turns watermark deltas into absolute values per input, as both the harness and the oracle get them. */
export function absoluteWatermarks<R>(run: Step<R>[], inputs: number): (Step<R> & { at?: number })[] {
  const last = new Array<number>(inputs).fill(0);
  return run.map((step) => {
    if (step.kind === 'push') return step;
    const base = step.input === undefined ? Math.min(...last) : last[step.input]!;
    const at = base + step.delta;
    for (let i = 0; i < inputs; i++) if (step.input === undefined || step.input === i) last[i] = Math.max(last[i]!, at);
    return { ...step, at };
  });
}

/** Runs per property; `PROPERTY_RUNS` overrides (e.g. 2000 for a soak). */
export const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
