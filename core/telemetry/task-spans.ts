/**
 * The process's telemetry as one task of a job run as tasks sees it (core/runtime/scale):
 * every span the task's engine instance starts — its batches' and its checkpoints' — carries
 * `sluice.task` (`task-<p>`, `<stage>.task-<p>`), so a trace in Jaeger says which task, and
 * with the service's instance which process, did the work. Metrics carry the same through
 * their `task` attribute (engine-metrics.ts).
 */
import type { Attributes, Context, Span, SpanOptions, Tracer } from '@opentelemetry/api';
import { SPAN_ATTR } from './span-attributes.ts';
import type { Telemetry } from './telemetry.ts';

class TaskTracer implements Tracer {
  constructor(
    private readonly inner: Tracer,
    private readonly attributes: Attributes,
  ) {}

  startSpan(name: string, options?: SpanOptions, context?: Context): Span {
    return this.inner.startSpan(name, { ...options, attributes: { ...this.attributes, ...options?.attributes } }, context);
  }

  /** Not used by the runtime; passed through (its spans are not tagged). */
  startActiveSpan: Tracer['startActiveSpan'] = ((...args: unknown[]) => (this.inner.startActiveSpan as (...a: unknown[]) => unknown).apply(this.inner, args)) as Tracer['startActiveSpan'];
}

export function taskTelemetry(telemetry: Telemetry, task: string): Telemetry {
  const tracer = new TaskTracer(telemetry.tracer, { [SPAN_ATTR.task]: task });
  return Object.create(telemetry, { tracer: { value: tracer, enumerable: true } }) as Telemetry;
}
