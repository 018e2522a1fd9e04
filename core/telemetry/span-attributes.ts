/** Attribute names of the spans the runtime creates around every plugin call. */
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
  checkpointId: 'sluice.checkpoint.id',
  checkpointBytes: 'sluice.checkpoint.bytes',
  checkpointDurationMs: 'sluice.checkpoint.duration_ms',
  checkpointOutcome: 'sluice.checkpoint.outcome',
} as const;

export function operatorSpanName(id: string): string {
  return `operator ${id}`;
}
