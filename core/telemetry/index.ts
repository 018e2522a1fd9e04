/** Telemetry of a job: OpenTelemetry providers and the engine's instruments. */
export { createTelemetry, OnDemandMetricReader } from './telemetry.ts';
export type { Telemetry, TelemetryOptions, TraceExporterKind } from './telemetry.ts';
export { EngineMetrics } from './engine-metrics.ts';
export type { GaugeReadings, StageMetrics } from './engine-metrics.ts';
export { SPAN_ATTR, checkpointBlockSpanName, operatorSpanName } from './span-attributes.ts';
export { BatchTracer, MergedTraces, isSampled } from './batch-tracer.ts';
export { CHECKPOINT_SPAN, RootSampler, jobSampler } from './sampler.ts';
export { MAX_LINKS, PROBES, formatTraceparent, parseTraceparent, producerLinks, traceparentProbes, traceparentsIn } from './traceparent.ts';
export type { TraceparentProbe } from './traceparent.ts';
export { MetricsServer } from './metrics-server.ts';
export type { MetricsServerOptions } from './metrics-server.ts';
