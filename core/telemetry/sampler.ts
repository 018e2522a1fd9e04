/**
 * Sampling, decided once per trace at its root (docs/architecture.md §6): a span with a
 * parent follows the parent's decision (parent-based), so a sampled batch shows its whole
 * path and an unsampled one records nothing downstream. Roots are sampled by a trace-id
 * ratio: `tracing.sample_ratio` for a batch's trace (a source poll, an operator's timer
 * output), `tracing.checkpoint_sample_ratio` for a checkpoint's trace (root span
 * `checkpoint`).
 */
import { ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';

/** Name of a checkpoint's root span. */
export const CHECKPOINT_SPAN = 'checkpoint';

/** Roots: checkpoints at their own ratio, everything else at the batch ratio. */
export class RootSampler implements Sampler {
  private readonly batches: TraceIdRatioBasedSampler;
  private readonly checkpoints: TraceIdRatioBasedSampler;

  constructor(
    readonly batchRatio: number,
    readonly checkpointRatio: number,
  ) {
    this.batches = new TraceIdRatioBasedSampler(batchRatio);
    this.checkpoints = new TraceIdRatioBasedSampler(checkpointRatio);
  }

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const s = spanName === CHECKPOINT_SPAN ? this.checkpoints : this.batches;
    return s.shouldSample(context, traceId);
  }

  toString(): string {
    return `RootSampler{batches=${this.batchRatio}, checkpoints=${this.checkpointRatio}}`;
  }
}

/** The job's sampler: parent-based, with `RootSampler` at the root. */
export function jobSampler(batchRatio: number, checkpointRatio: number): Sampler {
  return new ParentBasedSampler({ root: new RootSampler(batchRatio, checkpointRatio) });
}
