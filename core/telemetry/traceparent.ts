/**
 * W3C trace context (`traceparent` headers) for span links across Kafka and NATS: what a
 * sink writes (`00-<trace id>-<span id>-<flags>`) and a source reads back.
 *
 * A source finds the `traceparent` values of the records it returns with `traceparentProbes`
 * (core/api/traceparent.ts, part of the plugin API). The runtime parses them and links the
 * source's poll span to the sampled ones (`producerLinks`, at most `MAX_LINKS` distinct).
 */
import { TraceFlags, isSpanContextValid } from '@opentelemetry/api';
import type { SpanContext } from '@opentelemetry/api';

// Probing records for their values is part of the plugin API (sources call it).
export { TRACEPARENT_PROBES as PROBES, traceparentProbes, traceparentsIn } from '../api/traceparent.ts';
export type { TraceparentProbe } from '../api/traceparent.ts';

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
