/**
 * OpenTelemetry providers of one job: a tracer and a meter, with the service name set to
 * the pipeline's name and the resource attributes of `OTEL_RESOURCE_ATTRIBUTES`.
 *
 * Exporters: `none` (the default: spans are not even created, metrics are kept for the
 * readers that ask, e.g. a Prometheus endpoint), `memory` (spans kept in an
 * `InMemorySpanExporter` and metrics in a manual reader, for tests), `otlp` (spans over
 * OTLP/HTTP protobuf to `endpoint`, batched). Sampling is decided once per trace, at its
 * root (sampler.ts): `sampleRatio` for a batch's trace, `checkpointSampleRatio` for a
 * checkpoint's; every other span follows its parent.
 * `serveMetrics` puts the MeterProvider on a Prometheus `/metrics` endpoint with `/ready`
 * (metrics-server.ts). Background export failures are reported by the SDK's diagnostic
 * logger, never thrown into the job.
 */
import type { Meter, Tracer } from '@opentelemetry/api';
import { trace } from '@opentelemetry/api';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { CollectionResult } from '@opentelemetry/sdk-metrics';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ensureContextManager } from './sync-context.ts';
import { MetricsServer } from './metrics-server.ts';
import { jobSampler } from './sampler.ts';

export type TraceExporterKind = 'none' | 'memory' | 'otlp';

export interface TelemetryOptions {
  /** The pipeline's name. */
  readonly serviceName: string;
  readonly exporter?: TraceExporterKind;
  /** OTLP/HTTP base endpoint, e.g. `http://127.0.0.1:4318`; spans go to `<endpoint>/v1/traces`. */
  readonly endpoint?: string;
  /** Share of batch traces kept, 0 to 1 (default 1). */
  readonly sampleRatio?: number;
  /** Share of checkpoint traces kept, 0 to 1 (default 1). */
  readonly checkpointSampleRatio?: number;
  /** Extra metric readers (a Prometheus endpoint, a periodic OTLP exporter). */
  readonly metricReaders?: readonly MetricReader[];
}

/** A metric reader that collects only when asked (tests, `/metrics` handlers). */
export class OnDemandMetricReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface Telemetry {
  readonly serviceName: string;
  readonly tracer: Tracer;
  readonly meter: Meter;
  /** False with exporter `none` or both ratios 0: the engine then skips span creation altogether. */
  readonly tracing: boolean;
  /** False when batch traces are off (no exporter, or `sampleRatio` 0): stages create no spans. */
  readonly batchTracing: boolean;
  /** With exporter `memory`: the finished spans. */
  readonly spans: InMemorySpanExporter | undefined;
  /** With exporter `memory`: collects the current metric values. */
  collectMetrics(): Promise<CollectionResult>;
  /**
   * Serves `/metrics` (this telemetry's MeterProvider, the one plugins get as
   * `services.meter`) and `/ready` on `host:port` (port 0: a free one). Once per telemetry;
   * closed by `shutdown`.
   */
  serveMetrics(host: string, port: number): Promise<MetricsServer>;
  /** The server `serveMetrics` started, if any. */
  readonly metricsServer: MetricsServer | undefined;
  /** Exports what is buffered (before a test queries Jaeger, before exit). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function createTelemetry(options: TelemetryOptions): Telemetry {
  const exporter = options.exporter ?? 'none';
  const ratio = options.sampleRatio ?? 1;
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`sample_ratio must be from 0 to 1, got ${ratio}`);
  const checkpointRatio = options.checkpointSampleRatio ?? 1;
  if (!(checkpointRatio >= 0 && checkpointRatio <= 1)) throw new RangeError(`checkpoint_sample_ratio must be from 0 to 1, got ${checkpointRatio}`);
  // OTEL_RESOURCE_ATTRIBUTES (e.g. `deployment.environment=prod`) tags every span and metric; the service name is the pipeline's.
  const resource = detectResources({ detectors: [envDetector] }).merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }));

  let spans: InMemorySpanExporter | undefined;
  const processors: SpanProcessor[] = [];
  if (exporter === 'memory') {
    spans = new InMemorySpanExporter();
    processors.push(new SimpleSpanProcessor(spans));
  } else if (exporter === 'otlp') {
    const base = (options.endpoint ?? 'http://127.0.0.1:4318').replace(/\/+$/, '');
    const url = base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  const tracerProvider =
    exporter === 'none'
      ? undefined
      : new BasicTracerProvider({
          resource,
          sampler: jobSampler(ratio, checkpointRatio),
          spanProcessors: processors,
        });
  const tracer = tracerProvider ? tracerProvider.getTracer('sluice') : trace.getTracer('sluice-noop');
  // So a plugin finds the runtime's span of the batch it handles (`trace.getActiveSpan()`).
  if (tracerProvider) ensureContextManager();

  const onDemand = new OnDemandMetricReader();
  const meterProvider = new MeterProvider({ resource, readers: [onDemand, ...(options.metricReaders ?? [])] });
  const meter = meterProvider.getMeter('sluice');

  let server: MetricsServer | undefined;
  return {
    serviceName: options.serviceName,
    get metricsServer() {
      return server;
    },
    async serveMetrics(host, port) {
      if (server) throw new Error(`the metrics endpoint is already served on port ${server.port}`);
      const s = new MetricsServer({ host, port, reader: onDemand });
      await s.listen();
      server = s;
      return s;
    },
    tracer,
    meter,
    tracing: tracerProvider !== undefined && (ratio > 0 || checkpointRatio > 0),
    batchTracing: tracerProvider !== undefined && ratio > 0,
    spans,
    collectMetrics: () => onDemand.collect(),
    async flush() {
      await tracerProvider?.forceFlush();
      await meterProvider.forceFlush();
    },
    async shutdown() {
      await server?.close();
      await tracerProvider?.shutdown();
      await meterProvider.shutdown();
    },
  };
}
