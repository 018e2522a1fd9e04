/** Message headers: to a record's `_meta`, and the W3C `traceparent` of the active span. */
import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';
import type { MsgHdrs } from '@nats-io/transport-node';

// Required at the first publish, not at import: `sluice lint` loads the NATS plugins without
// tracing anything. The API is CommonJS, so this is the same module (and global) an import gets.
const require = createRequire(import.meta.url);
let otel: typeof OtelApi | undefined;

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
  const { context, trace, TraceFlags } = (otel ??= require('@opentelemetry/api') as typeof OtelApi);
  const span = trace.getSpan(context.active());
  const sc = span?.spanContext();
  if (!sc || !trace.isSpanContextValid(sc)) return undefined;
  const flags = (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00';
  return `00-${sc.traceId}-${sc.spanId}-${flags}`;
}
