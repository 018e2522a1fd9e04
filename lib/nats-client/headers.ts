/** Message headers: to a record's `_meta`, and the W3C `traceparent` of the active span. */
import { context, trace, TraceFlags } from '@opentelemetry/api';
import type { MsgHdrs } from '@nats-io/transport-node';

/** Headers as a plain object (a name with several values keeps them all as an array); undefined when none. */
export function headersToRow(h: MsgHdrs | undefined): Record<string, string | string[]> | undefined {
  if (!h) return undefined;
  let out: Record<string, string | string[]> | undefined;
  for (const [name, values] of h) {
    out ??= {};
    out[name] = values.length === 1 ? values[0]! : [...values];
  }
  return out;
}

/**
 * The W3C trace context header of the span active in the OpenTelemetry context now, or
 * undefined when there is none (no tracing, or an invalid span context).
 */
export function activeTraceparent(): string | undefined {
  const span = trace.getSpan(context.active());
  const sc = span?.spanContext();
  if (!sc || !trace.isSpanContextValid(sc)) return undefined;
  const flags = (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00';
  return `00-${sc.traceId}-${sc.spanId}-${flags}`;
}
