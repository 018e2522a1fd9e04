/**
 * Reading W3C `traceparent` headers in a source (docs/architecture.md §6). A source finds
 * the values of the records it returns with `traceparentProbes`: at most `TRACEPARENT_PROBES`
 * records, spread over the batch, are read — a bounded cost per batch whatever its size (a
 * producer writes the same value on every message of one write, so a few probes find each
 * producer batch of any size). It returns the distinct values of a chunk's records as
 * `SourceChunk.traceparents` (`traceparentsIn`); the runtime parses them and links the poll
 * span to the sampled producers.
 */

/** Most records of one batch whose `traceparent` a source reads. */
export const TRACEPARENT_PROBES = 16;

/** A record's `traceparent` value, by its index in a batch. */
export interface TraceparentProbe {
  readonly index: number;
  readonly value: string;
}

/**
 * The `traceparent` values of at most `TRACEPARENT_PROBES` records of `n`, spread evenly (the
 * first and the last among them); `at(i)` reads record i's value. Undefined when none has one.
 */
export function traceparentProbes(n: number, at: (i: number) => string | undefined): TraceparentProbe[] | undefined {
  if (n <= 0) return undefined;
  let out: TraceparentProbe[] | undefined;
  const probes = Math.min(n, TRACEPARENT_PROBES);
  for (let k = 0; k < probes; k++) {
    const index = probes === 1 ? 0 : Math.round((k * (n - 1)) / (probes - 1));
    const value = at(index);
    if (value !== undefined) (out ??= []).push({ index, value });
  }
  return out;
}

/** The distinct values of the probes of records `from` (inclusive) to `to` (exclusive); undefined when none. */
export function traceparentsIn(probes: readonly TraceparentProbe[] | undefined, from = 0, to = Infinity): string[] | undefined {
  let out: string[] | undefined;
  if (probes) for (const p of probes) if (p.index >= from && p.index < to && !out?.includes(p.value)) (out ??= []).push(p.value);
  return out;
}
