/**
 * The engine's instruments (core/telemetry/engine-metrics.ts) read out of one collection of
 * the job's MeterProvider: the same numbers `/metrics` serves, keyed by operator or edge.
 */
import type { CollectionResult } from '@opentelemetry/sdk-metrics';

export interface StageValues {
  recordsIn: number;
  recordsOut: number;
  late: number;
  deadLettered: number;
  busyMs: number;
  watermark?: number;
  backpressure?: number;
}

export interface MetricValues {
  readonly stages: Map<string, StageValues>;
  readonly queues: Map<string, number>;
  readonly checkpoints: { completed: number; declined: number };
}

const COUNTERS: Record<string, 'recordsIn' | 'recordsOut' | 'late' | 'deadLettered'> = {
  sluice_records_in: 'recordsIn',
  sluice_records_out: 'recordsOut',
  sluice_records_late: 'late',
  sluice_records_dead_lettered: 'deadLettered',
};

/** Sums data points over every attribute but `operator` (a job run as tasks adds `task`). */
export function metricValues(collected: CollectionResult): MetricValues {
  const stages = new Map<string, StageValues>();
  const queues = new Map<string, number>();
  const checkpoints = { completed: 0, declined: 0 };
  const stage = (id: string): StageValues => {
    let s = stages.get(id);
    if (!s) stages.set(id, (s = { recordsIn: 0, recordsOut: 0, late: 0, deadLettered: 0, busyMs: 0 }));
    return s;
  };
  for (const scope of collected.resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const name = metric.descriptor.name;
      for (const point of metric.dataPoints as { attributes: Record<string, unknown>; value: unknown }[]) {
        const op = point.attributes.operator;
        const counter = COUNTERS[name];
        if (counter && typeof op === 'string') stage(op)[counter] += point.value as number;
        else if (name === 'sluice_processing_latency_ms' && typeof op === 'string') stage(op).busyMs += (point.value as { sum?: number }).sum ?? 0;
        else if (name === 'sluice_watermark_ms' && typeof op === 'string') stage(op).watermark = point.value as number;
        else if (name === 'sluice_backpressure_ratio' && typeof op === 'string') stage(op).backpressure = point.value as number;
        else if (name === 'sluice_queue_depth' && typeof point.attributes.edge === 'string') queues.set(point.attributes.edge, (queues.get(point.attributes.edge) ?? 0) + (point.value as number));
        else if (name === 'sluice_checkpoints') {
          const outcome = point.attributes.outcome;
          if (outcome === 'completed' || outcome === 'declined') checkpoints[outcome] += point.value as number;
        }
      }
    }
  }
  return { stages, queues, checkpoints };
}
