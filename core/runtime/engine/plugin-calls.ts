/**
 * The one wrapper around the engine's calls into a plugin instance (docs/architecture.md §2,
 * §6). Every stage — source, operator (through its host), sink, late and dead-letter output —
 * has one `PluginCalls`, and each call its task makes into the instance goes through it:
 *
 * - `call` / `callAsync` run a plugin method, optionally with a trace context active (a sink
 *   propagates it as `traceparent`); whatever the method throws fails the job as the stage's
 *   `E_PLUGIN_FAILED`, naming the method (errors.ts). `attemptAsync` lets the error through
 *   for a caller that sorts it first (a sink's retries), and `failure` is the wrapping.
 * - `rootSpan` / `childSpan` open the span of one batch's call (`source <id> poll`,
 *   `operator <id>`, `sink <id> write`): a new trace for a source's poll, else a child of the
 *   batch's span, linked to others where batches meet; undefined when nothing is recorded.
 * - `finish` records the call's counters (one metrics record per batch, never per record)
 *   and gives its span the attributes every plugin call's span has (id, plugin, records in
 *   and out, processing time, event-time lag, watermark, watermark lag), then ends it.
 * - `late`, `deadLettered`, `retried`, `endToEnd`: the stage's other counters.
 */
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span, SpanContext, Tracer } from '@opentelemetry/api';
import { MIN_WATERMARK } from '../../api/index.ts';
import type { Clock } from '../../api/index.ts';
import { BatchTracer, SPAN_ATTR } from '../../telemetry/index.ts';
import type { StageMetrics } from '../../telemetry/index.ts';
import type { LinkTargets } from '../../telemetry/batch-tracer.ts';
import { pluginFailure } from './errors.ts';
import type { StageRef } from './errors.ts';

/** What one call did, for its metrics record and its span. */
export interface CallFacts {
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** Processing time of the call, ms. */
  readonly ms: number;
  /** Newest event time among the records handled (−∞: none): the event-time lag is measured from it, else from the watermark. */
  readonly newest: number;
  /** The stage's watermark after the call (−∞: none yet). */
  readonly watermark: number;
  /** How far the watermark trails the newest event time read upstream, ms; undefined when unknown. */
  readonly watermarkLag: number | undefined;
}

export class PluginCalls {
  private readonly spans: BatchTracer | undefined;

  constructor(
    readonly stage: StageRef,
    /** The name of the stage's batch spans. */
    readonly spanName: string,
    tracer: Tracer | undefined,
    private readonly metrics: StageMetrics,
    private readonly clock: Clock,
  ) {
    this.spans = tracer ? new BatchTracer(tracer) : undefined;
  }

  /** The batch tracer, when batch traces are on (for output held and flushed later). */
  get tracer(): BatchTracer | undefined {
    return this.spans;
  }

  /** The stage's failure for an error a plugin method threw. */
  failure(method: string, error: unknown): Error {
    return pluginFailure(this.stage, method, error);
  }

  /** Runs a synchronous plugin method, with `active` as the active trace context when given. */
  call<T>(method: string, fn: () => T, active?: Context): T {
    try {
      return active ? context.with(active, fn) : fn();
    } catch (error) {
      throw pluginFailure(this.stage, method, error);
    }
  }

  /** Runs an asynchronous plugin method, with `active` as the active trace context when given. */
  async callAsync<T>(method: string, fn: () => T | Promise<T>, active?: Context): Promise<T> {
    try {
      return await (active ? context.with(active, fn) : fn());
    } catch (error) {
      throw pluginFailure(this.stage, method, error);
    }
  }

  /**
   * Runs an asynchronous plugin method whose errors the caller sorts itself (a sink's write:
   * transient, permanent, unknown), with `active` as the active trace context when given.
   * What it throws passes through unwrapped; the caller wraps what fails the job (`failure`).
   */
  attemptAsync<T>(fn: () => T | Promise<T>, active?: Context): Promise<T> {
    return Promise.resolve(active ? context.with(active, fn) : fn());
  }

  /** The trace context to make active: the call's span, else the batch's own (sampled or not); undefined: none. */
  activeContext(span: Span | undefined, parent: SpanContext | undefined): Context | undefined {
    return span ? trace.setSpan(ROOT_CONTEXT, span) : parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : undefined;
  }

  /** A new trace for the call (a source's poll), linked to `links`; undefined when batch traces are off. */
  rootSpan(links?: LinkTargets): Span | undefined {
    return this.spans?.root(this.spanName, links);
  }

  /** A child of the batch's span, linked to `links`; undefined when traces are off or the parent is not sampled. */
  childSpan(parent: SpanContext | undefined, links?: LinkTargets, startTime?: number): Span | undefined {
    return this.spans?.child(this.spanName, parent, links, startTime);
  }

  /**
   * The call's metrics record (when records went in or out) and, when it has a recording
   * span, its attributes (plus `extra`); ends the span.
   */
  finish(span: Span | undefined, facts: CallFacts, extra?: Attributes): void {
    if (facts.recordsIn || facts.recordsOut) this.metrics.recordBatch(facts.recordsIn, facts.recordsOut, facts.ms);
    this.endSpan(span, facts, extra);
  }

  /** Sets the attributes every plugin call's span has (plus `extra`) when it records; ends it. */
  endSpan(span: Span | undefined, facts: CallFacts, extra?: Attributes): void {
    if (!span) return;
    if (span.isRecording()) {
      const { newest, watermark, watermarkLag } = facts;
      const reference = Number.isFinite(newest) ? newest : watermark;
      span.setAttributes({
        [SPAN_ATTR.operatorId]: this.stage.id,
        [SPAN_ATTR.operatorKind]: this.stage.plugin,
        [SPAN_ATTR.recordsIn]: facts.recordsIn,
        [SPAN_ATTR.recordsOut]: facts.recordsOut,
        [SPAN_ATTR.processingMs]: facts.ms,
        [SPAN_ATTR.eventTimeLagMs]: Number.isFinite(reference) ? this.clock.now() - reference : 0,
        ...extra,
      });
      if (Number.isFinite(watermark)) span.setAttribute(SPAN_ATTR.watermark, watermark);
      if (watermarkLag !== undefined) span.setAttribute(SPAN_ATTR.watermarkLagMs, watermarkLag);
    }
    span.end();
  }

  late(n: number): void {
    this.metrics.late(n);
  }

  deadLettered(n: number): void {
    this.metrics.deadLettered(n);
  }

  retried(n: number): void {
    this.metrics.retried(n);
  }

  endToEnd(ms: number): void {
    this.metrics.endToEnd(ms);
  }
}

/** The newest event time of records `from` to `from + n` of `times` (−∞ when none), from `newest` on. */
export function newestTime(times: readonly number[], from = 0, n = times.length - from, newest = MIN_WATERMARK): number {
  for (let i = from; i < from + n; i++) if (times[i]! > newest) newest = times[i]!;
  return newest;
}

/** How far `watermark` trails `newestRead`, ms (≥ 0); undefined while either is unknown. */
export function watermarkLag(newestRead: number | undefined, watermark: number): number | undefined {
  if (newestRead === undefined || !Number.isFinite(newestRead) || !Number.isFinite(watermark)) return undefined;
  return Math.max(0, newestRead - watermark);
}
