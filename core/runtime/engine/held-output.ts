/**
 * An operator's upsert output held for mini-batch compaction (`upsert-compactor.ts`).
 *
 * Changes are held, one per key, until `engine.mini_batch.max_rows` distinct keys are held,
 * `engine.mini_batch.max_delay` has passed since the first of them, the job drains (a
 * checkpoint, a stop) or the stream ends. While changes are held, the watermark is held
 * with them: it goes downstream in the same item as the changes it follows, so no held
 * change can reach a consumer behind a watermark that would make it late.
 *
 * Batches meet here: a flush has its own span (`<operator span> flush`), a child of one
 * held batch's span (a sampled one when there is one) and linked to the others'
 * (`MergedTraces`, bounded); the flushed item carries the read time of the oldest of them.
 */
import type { SpanContext } from '@opentelemetry/api';
import type { Batch, KeySpec } from '../../api/index.ts';
import { MergedTraces, SPAN_ATTR } from '../../telemetry/index.ts';
import type { BatchTracer } from '../../telemetry/index.ts';
import type { Outlet } from './flow.ts';
import { UpsertCompactor } from './upsert-compactor.ts';

export interface MiniBatchSettings {
  /** Distinct keys held before a flush; 0 turns compaction off. */
  readonly maxRows: number;
  /** Longest a change is held, in real milliseconds. */
  readonly maxDelayMs: number;
}

export class HeldOutput {
  private readonly compactor: UpsertCompactor;
  private heldSince = 0;
  private watermark: number | undefined;
  private readonly traces = new MergedTraces();
  /** Read time of the oldest held change's batch. */
  private readAt: number | undefined;
  /** Changes offered since the last flush (before compaction). */
  private offered = 0;

  constructor(
    readonly outlet: Outlet,
    key: KeySpec,
    private readonly settings: MiniBatchSettings,
    private readonly spans?: BatchTracer,
    private readonly spanName = 'held output',
  ) {
    this.compactor = new UpsertCompactor(key);
  }

  get holding(): boolean {
    return this.compactor.size > 0;
  }

  /** Real time (performance.now) by which the held changes must go. */
  get deadline(): number {
    return this.heldSince + this.settings.maxDelayMs;
  }

  /**
   * Takes an emitted batch and/or a new watermark. Returns the number of records pushed
   * downstream now (0 while they are held).
   */
  offer(batch: Batch | undefined, watermark: number | undefined, now: number, trace?: SpanContext, readAt?: number): number {
    if (batch?.length) {
      if (!this.holding) this.heldSince = now;
      this.compactor.add(batch);
      this.offered += batch.length;
      this.traces.add(trace);
      if (readAt !== undefined && !(this.readAt! <= readAt)) this.readAt = readAt;
    }
    if (watermark !== undefined) {
      if (this.holding) this.watermark = watermark;
      else this.outlet.push({ watermark });
    }
    if (this.holding && (this.compactor.size >= this.settings.maxRows || now >= this.deadline)) return this.flush();
    return 0;
  }

  /** Pushes what is held (and the held watermark); returns the records pushed. */
  flush(): number {
    const watermark = this.watermark;
    this.watermark = undefined;
    if (!this.holding) {
      if (watermark !== undefined) this.outlet.push({ watermark });
      return 0;
    }
    const batch = this.compactor.take();
    const { parent, others } = this.traces.take();
    const readAt = this.readAt;
    const offered = this.offered;
    this.readAt = undefined;
    this.offered = 0;
    if (batch.length === 0) {
      if (watermark !== undefined) this.outlet.push({ watermark });
      return 0;
    }
    const span = this.spans?.child(`${this.spanName} flush`, parent, others);
    const trace = span ? span.spanContext() : parent;
    this.outlet.push(watermark === undefined ? { batch, trace, readAt } : { batch, watermark, trace, readAt });
    if (span) {
      span.setAttributes({ [SPAN_ATTR.recordsIn]: offered, [SPAN_ATTR.recordsOut]: batch.length, [SPAN_ATTR.mergedLinks]: others.length });
      span.end();
    }
    return batch.length;
  }
}
