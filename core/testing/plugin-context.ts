/**
 * What the source and sink harnesses give a plugin in place of the engine: its declared
 * services (a manual clock, a logger that keeps what it is told, a tracer and a meter that
 * record in memory, or what the test passes), and a span around every call the harness
 * makes, active while the call runs, as the engine's poll and write spans are.
 */
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Context, Meter, Span, Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { ManualClock, services } from '../api/index.ts';
import type { Logger, ServiceRef } from '../api/index.ts';
import { OnDemandMetricReader } from '../telemetry/index.ts';
import { ensureContextManager } from '../telemetry/sync-context.ts';

/** One line the plugin logged. */
export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes?: Record<string, unknown>;
}

export interface PluginContextOptions {
  /** Block id; default the plugin's kind (`source`, `sink`). */
  readonly id?: string;
  /** Job name; default `test`. */
  readonly job?: string;
  /** Processing-time clock; default a `ManualClock` at 0. */
  readonly clock?: ManualClock;
  /** Services beyond clock, logger, tracer and meter, by dependency name (a state backend, a client). */
  readonly deps?: Readonly<Record<string, unknown>>;
}

/** Counts spans as they start and end (the exporter sees only ended ones). */
class OpenSpans implements SpanProcessor {
  readonly open = new Set<Span>();
  onStart(span: Span): void {
    this.open.add(span);
  }
  onEnd(span: ReadableSpan): void {
    this.open.delete(span as unknown as Span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function recordingLogger(into: LogEntry[], bindings: Record<string, unknown>): Logger {
  const at = (level: LogEntry['level']) => (message: string, attributes?: Record<string, unknown>) => {
    const all = { ...bindings, ...attributes };
    into.push(Object.keys(all).length ? { level, message, attributes: all } : { level, message });
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => recordingLogger(into, { ...bindings, ...b }) };
}

/** The harness's stand-in for the engine's services and call spans. */
export class PluginContext {
  readonly clock: ManualClock;
  readonly logs: LogEntry[] = [];
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly meter: Meter;
  private readonly exporter = new InMemorySpanExporter();
  private readonly openSpans = new OpenSpans();
  private readonly reader = new OnDemandMetricReader();
  private readonly callSpanIds = new Set<string>();

  constructor(readonly id: string, readonly job: string, private readonly options: PluginContextOptions) {
    this.clock = options.clock ?? new ManualClock(0);
    // So a plugin finds the harness's call span as the active one (`trace.getActiveSpan()`).
    ensureContextManager();
    this.logger = recordingLogger(this.logs, {});
    const provider = new BasicTracerProvider({ spanProcessors: [this.openSpans, new SimpleSpanProcessor(this.exporter)] });
    this.tracer = provider.getTracer('sluice-testing');
    this.meter = new MeterProvider({ readers: [this.reader] }).getMeter('sluice-testing');
  }

  /** The plugin's declared services, resolved by reference (throws naming one nobody provides). */
  deps(declared: Readonly<Record<string, ServiceRef<unknown>>> | undefined): Record<string, unknown> {
    const provided: Record<string, unknown> = {
      [services.clock.id]: this.clock,
      [services.logger.id]: this.logger,
      [services.tracer.id]: this.tracer,
      [services.meter.id]: this.meter,
    };
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(declared ?? {})) {
      out[name] = this.options.deps?.[name] ?? provided[ref.id];
      if (out[name] === undefined) throw new Error(`harness: plugin needs service '${ref.id}' as '${name}': pass it in options.deps`);
    }
    return out;
  }

  /** Runs `call` inside a span named `name` (active during the call, as the engine's), ended after it settles. */
  async call<T>(name: string, call: () => Promise<T> | T): Promise<T> {
    const span = this.tracer.startSpan(name, {}, ROOT_CONTEXT);
    this.callSpanIds.add(span.spanContext().spanId);
    const active: Context = trace.setSpan(ROOT_CONTEXT, span);
    try {
      return await context.with(active, call);
    } finally {
      span.end();
    }
  }

  /** Spans the plugin started and ended (not the harness's call spans). */
  spans(): readonly ReadableSpan[] {
    return this.exporter.getFinishedSpans().filter((s) => !this.callSpanIds.has(s.spanContext().spanId));
  }

  /** Names of spans the plugin started and has not ended. */
  unendedSpans(): string[] {
    return [...this.openSpans.open].filter((s) => !this.callSpanIds.has(s.spanContext().spanId)).map((s) => (s as unknown as ReadableSpan).name);
  }

  /**
   * What the plugin recorded on its meter: each instrument's value summed over its data
   * points (counters, up-down counters, gauges' last values; histograms: their count).
   */
  async metrics(): Promise<Map<string, number>> {
    const { resourceMetrics } = await this.reader.collect();
    const out = new Map<string, number>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        let sum = 0;
        for (const point of metric.dataPoints as readonly { value: unknown }[]) {
          const v = point.value;
          sum += typeof v === 'number' ? v : typeof v === 'object' && v !== null && 'count' in v ? Number((v as { count: number }).count) : 0;
        }
        out.set(metric.descriptor.name, sum);
      }
    }
    return out;
  }
}
