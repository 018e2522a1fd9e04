/**
 * W3C trace context (`traceparent` headers) for span links across Kafka and NATS: what a
 * sink writes (`00-<trace id>-<span id>-<flags>`) and a source reads back.
 *
 * A source finds the `traceparent` values of the records it returns with `probeTraceparents`:
 * at most `PROBES` records, spread over the batch, are read — a bounded cost per batch
 * whatever its size (a producer writes the same value on every message of one write, so a
 * few probes find each producer batch of any size). The runtime parses them and links the
 * source's poll span to the sampled ones (`producerLinks`, at most `MAX_LINKS` distinct).
 */
import { TraceFlags, isSpanContextValid } from '@opentelemetry/api';
import type { SpanContext } from '@opentelemetry/api';

/** Most records of one batch whose `traceparent` a source reads. */
export const PROBES = 16;
/** Most links one span carries (producers of a poll; inputs met by an operator). */
export const MAX_LINKS = 8;

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A remote span context from a `traceparent` value; undefined when malformed, invalid or of version ff. */
export function parseTraceparent(value: string): SpanContext | undefined {
  const m = TRACEPARENT.exec(value.trim());
  if (!m || m[1] === 'ff') return undefined;
  const sc: SpanContext = { traceId: m[2]!, spanId: m[3]!, traceFlags: parseInt(m[4]!, 16) & TraceFlags.SAMPLED, isRemote: true };
  return isSpanContextValid(sc) ? sc : undefined;
}

/** The `traceparent` value of a span context. */
export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00'}`;
}

/** A record's `traceparent` value, by its index in a batch. */
export interface TraceparentProbe {
  readonly index: number;
  readonly value: string;
}

/**
 * The `traceparent` values of at most `PROBES` records of `n`, spread evenly (the first and
 * the last among them); `at(i)` reads record i's value. Undefined when none has one.
 */
export function traceparentProbes(n: number, at: (i: number) => string | undefined): TraceparentProbe[] | undefined {
  if (n <= 0) return undefined;
  let out: TraceparentProbe[] | undefined;
  const probes = Math.min(n, PROBES);
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

/** Span contexts to link a poll to: the sampled producer contexts among `values`, distinct, at most `MAX_LINKS`. */
export function producerLinks(values: Iterable<string>): SpanContext[] {
  const out: SpanContext[] = [];
  for (const v of values) {
    const sc = parseTraceparent(v);
    if (!sc || (sc.traceFlags & TraceFlags.SAMPLED) === 0) continue;
    if (out.some((o) => o.spanId === sc.spanId && o.traceId === sc.traceId)) continue;
    out.push(sc);
    if (out.length === MAX_LINKS) break;
  }
  return out;
}
