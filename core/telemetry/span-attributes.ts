/**
 * Attribute names of the spans the runtime creates around every plugin call
 * (docs/architecture.md §6 lists the spans and what each carries).
 */
export const SPAN_ATTR = {
  operatorId: 'sluice.operator.id',
  /** The plugin's name (`window_aggregate`, `file`). */
  operatorKind: 'sluice.operator.kind',
  recordsIn: 'sluice.records.in',
  recordsOut: 'sluice.records.out',
  processingMs: 'sluice.processing_ms',
  /** Processing time minus the newest event time seen in the batch (or the watermark). */
  eventTimeLagMs: 'sluice.event_time_lag_ms',
  /** The operator's watermark after the batch; absent while it is −∞. */
  watermark: 'sluice.watermark',
  /**
   * How far the watermark trails the newest event time its upstream sources have read
   * (ms, ≥ 0): meaningful on a backfill, where the wall-clock lag is the data's age.
   */
  watermarkLagMs: 'sluice.watermark_lag_ms',
  /** Sinks: processing time now minus the read time of the batch's oldest record (ms). */
  endToEndLatencyMs: 'sluice.end_to_end_latency_ms',
  /** Source polls: producer span contexts linked (from `traceparent` headers). */
  producerLinks: 'sluice.links.producers',
  /** Operators: other inputs' (or merged batches') span contexts linked. */
  mergedLinks: 'sluice.links.merged',
  checkpointId: 'sluice.checkpoint.id',
  checkpointBytes: 'sluice.checkpoint.bytes',
  checkpointDurationMs: 'sluice.checkpoint.duration_ms',
  checkpointOutcome: 'sluice.checkpoint.outcome',
  /** A job run as tasks: the task whose engine instance started the span (`task-2`, `by_page.task-2`). */
  task: 'sluice.task',
} as const;

export function operatorSpanName(id: string): string {
  return `operator ${id}`;
}

/** A block's part in a checkpoint (a child of the checkpoint's root span). */
export function checkpointBlockSpanName(kind: 'source' | 'operator' | 'sink', id: string): string {
  return `checkpoint ${kind} ${id}`;
}
