/**
 * One sink of a job (the late and dead-letter outputs included), in its own loop: it takes
 * batches from its queue and writes them, one write at a time.
 *
 * Errors (docs/architecture.md §4): `TransientSinkError` → the batch is retried with exponential
 * back-off and equal jitter, as long as it takes; meanwhile the queue fills and the job
 * back-pressures (a checkpoint that cannot drain is declined, and enough declines fail the
 * job). `PermanentSinkError` → the whole batch is dead-lettered; `rejected` indices → those
 * records are. Any other error is treated as transient for `unknownErrorAttempts` tries
 * (an I/O hiccup) and then fails the job as a plugin failure (a bug does not heal).
 * The dead-letter output has nowhere to dead-letter: what it rejects it writes again as a
 * stand-in (the error and a bounded preview, stand-in.ts); only a rejected stand-in is logged.
 *
 * Each write has a span (`sink <id> write`), a child of the span that made the batch; the
 * batch's trace context is active during the write (a sink writes it as `traceparent`),
 * sampled or not. The write records the end-to-end latency: processing time now minus the
 * read time of the batch's oldest record (`StreamItem.readAt`).
 */
import type { Tracer } from '@opentelemetry/api';
import { BatchBuilder, MIN_WATERMARK, PermanentSinkError, TransientSinkError } from '../../api/index.ts';
import type { Batch, CheckpointBarrierInfo, Clock, CompletedCheckpoint, Logger, Provenance, SinkInstance } from '../../api/index.ts';
import { SPAN_ATTR } from '../../telemetry/index.ts';
import type { StageMetrics } from '../../telemetry/index.ts';
import { deadLetterRow } from './admit.ts';
import { describeStage } from './errors.ts';
import { PluginCalls, newestTime, watermarkLag } from './plugin-calls.ts';
import type { CallFacts } from './plugin-calls.ts';
import { standInRow } from './stand-in.ts';
import type { StageRef } from './errors.ts';
import { sleep } from './budget.ts';
import type { Flow, Outlet, StreamItem } from './flow.ts';
import type { BoundedQueue, Signal } from './queue.ts';

export interface SinkRetryOptions {
  /** First back-off, ms. */
  readonly initial: number;
  /** Longest back-off, ms. */
  readonly max: number;
  /** Tries for an error that is neither transient nor permanent before the job fails. */
  readonly unknownErrorAttempts: number;
}

export const DEFAULT_SINK_RETRY: SinkRetryOptions = { initial: 100, max: 30_000, unknownErrorAttempts: 5 };

export interface SinkTaskOptions {
  readonly stage: StageRef;
  readonly instance: SinkInstance;
  readonly queue: BoundedQueue<StreamItem>;
  readonly signal: Signal;
  /** Where rejected records go; undefined for the dead-letter output itself. */
  readonly deadLetter: Outlet | undefined;
  readonly flow: Flow;
  readonly metrics: StageMetrics;
  /** Set when batch traces are on. */
  readonly tracer: Tracer | undefined;
  /** The newest event time the sink's upstream sources have read (for the watermark lag). */
  readonly newestRead?: () => number;
  /** Processing time, for the event-time lag on spans. */
  readonly clock: Clock;
  readonly retry: SinkRetryOptions;
  readonly logger: Logger;
  readonly aborted: () => boolean;
  /** Aborted when the job is abandoned: cuts back-off waits short. */
  readonly abortSignal: AbortSignal;
  readonly random?: () => number;
  /** Count written records per source stream of their provenance (the late and dead-letter outputs). */
  readonly tallyStreams?: boolean;
}

function single(p: unknown): Provenance | undefined {
  return p && !Array.isArray(p) ? (p as Provenance) : undefined;
}

export class SinkTask {
  readonly id: string;
  finished = false;
  written = 0;
  rejected = 0;
  retries = 0;
  /** With `tallyStreams`: written records per `<source>/<output>`, admitted or undecodable. */
  readonly byStream = { admitted: {} as Record<string, number>, undecodable: {} as Record<string, number> };
  /** Latest watermark that reached this sink (for its spans). */
  private watermark = MIN_WATERMARK;
  private lock: Promise<unknown> = Promise.resolve();
  /** Every call into the instance (plugin-calls.ts). */
  private readonly calls: PluginCalls;

  constructor(private readonly o: SinkTaskOptions) {
    this.id = o.stage.id;
    this.calls = new PluginCalls(o.stage, `sink ${o.stage.id} write`, o.tracer, o.metrics, o.clock);
  }

  get stage(): StageRef {
    return this.o.stage;
  }

  /** Runs `fn` after every earlier write or checkpoint of this sink resolved. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** At a barrier: after every earlier write, ask the sink for its position. */
  checkpoint(barrier?: CheckpointBarrierInfo): Promise<unknown> {
    const { instance } = this.o;
    return this.exclusive(() => this.calls.callAsync('checkpoint', () => instance.checkpoint?.(barrier)));
  }

  /**
   * The checkpoint that recorded `position` completed. Not behind the write lock: a sink
   * that holds writes until this call (exactly once) may have a write waiting on it.
   */
  async checkpointComplete(position: unknown, checkpoint: CompletedCheckpoint): Promise<void> {
    const { instance } = this.o;
    await this.calls.callAsync('onCheckpointComplete', () => instance.onCheckpointComplete?.(position, checkpoint));
  }

  /** The last checkpoint was declined; as `checkpointComplete`, not behind the write lock. */
  async checkpointAborted(): Promise<void> {
    const { instance } = this.o;
    await this.calls.callAsync('onCheckpointAborted', () => instance.onCheckpointAborted?.());
  }

  async run(): Promise<void> {
    const { queue, signal, flow } = this.o;
    for (;;) {
      if (this.o.aborted()) return;
      // A checkpoint holds every stage between two items while it snapshots the queues.
      const frozen = flow.whileFrozen();
      if (frozen) {
        await frozen;
        continue;
      }
      const item = queue.shift();
      if (!item) {
        await signal.wait();
        continue;
      }
      flow.taken();
      try {
        if (item.batch?.length) {
          const it = item;
          await this.exclusive(() => this.write(it.batch!, it));
        }
        if (item.watermark !== undefined && item.watermark > this.watermark) {
          this.watermark = item.watermark;
          if (this.o.instance.onWatermark) await this.exclusive(() => this.passWatermark(item.watermark!));
        }
        if (item.end) this.finished = true;
      } finally {
        flow.handled();
      }
      if (this.finished) return;
    }
  }

  private async passWatermark(watermark: number): Promise<void> {
    const { instance } = this.o;
    await this.calls.callAsync('onWatermark', () => instance.onWatermark!(watermark));
  }

  private async write(batch: Batch, item: StreamItem): Promise<void> {
    const { instance, retry, stage, logger } = this.o;
    const started = performance.now();
    let span = this.calls.childSpan(item.trace);
    // The batch's trace context, active during the write (sampled or not: it is what propagates).
    const active = this.calls.activeContext(span, item.trace);
    let attempt = 0;
    let unknown = 0;
    try {
      for (;;) {
        if (this.o.aborted()) return;
        try {
          // The write span is active during the write, so sinks can propagate trace context (traceparent headers).
          // Not `callAsync`: what the write throws is sorted first (retries, below).
          const result = await this.calls.attemptAsync(() => instance.write(batch), active);
          let rejected = result?.rejected ?? [];
          // The dead-letter output itself: write stand-ins for what it could not encode (stand-in.ts).
          if (rejected.length && !this.o.deadLetter) rejected = await this.writeStandIns(batch, rejected);
          if (rejected.length) this.deadLetter(batch, rejected.map((r) => ({ index: r.index, error: r.error })));
          if (this.o.tallyStreams) this.tally(batch, rejected);
          const written = batch.length - rejected.length;
          this.written += written;
          const endToEnd = item.readAt === undefined ? undefined : Math.max(0, this.o.clock.now() - item.readAt);
          if (endToEnd !== undefined) this.calls.endToEnd(endToEnd);
          const facts = this.facts(batch, written, started, span !== undefined);
          this.calls.finish(span, facts, endToEnd === undefined ? { 'sluice.retries': attempt } : { 'sluice.retries': attempt, [SPAN_ATTR.endToEndLatencyMs]: endToEnd });
          span = undefined;
          return;
        } catch (error) {
          if (error instanceof PermanentSinkError) {
            this.deadLetter(batch, batch.values.map((_, index) => ({ index, error })));
            this.calls.finish(undefined, this.facts(batch, 0, started, false));
            return;
          }
          if (!(error instanceof TransientSinkError) && ++unknown >= retry.unknownErrorAttempts) {
            throw this.calls.failure('write', error);
          }
          const ceiling = Math.min(retry.max, retry.initial * 2 ** Math.min(attempt, 30));
          const delay = ceiling / 2 + (this.o.random ?? Math.random)() * (ceiling / 2);
          if (attempt === 0 || attempt % 10 === 0) {
            logger.warn(`${describeStage(stage)}: write failed, retrying`, { attempt: attempt + 1, delay_ms: Math.round(delay), error: (error as Error)?.message ?? String(error) });
          }
          attempt++;
          this.retries++;
          this.calls.retried(1);
          await sleep(delay, this.o.abortSignal);
        }
      }
    } finally {
      span?.end();
    }
  }

  /** Writes stand-ins for the rejected dead-letter rows; returns those rejected again. */
  private async writeStandIns(batch: Batch, rejected: readonly { index: number; error: unknown }[]): Promise<readonly { index: number; error: unknown }[]> {
    const b = new BatchBuilder();
    for (const { index, error } of rejected) b.push(standInRow(batch.values[index]!, error), batch.times[index]!, 'insert', batch.provenance?.[index]);
    const instance = this.o.instance;
    const again = await this.calls.attemptAsync(() => instance.write(b.take()));
    const refused = again?.rejected ?? [];
    this.o.logger.warn(`${describeStage(this.o.stage)} could not write ${rejected.length} record(s) as they are; wrote stand-ins`, { error: String((rejected[0]!.error as Error)?.message ?? rejected[0]!.error) });
    return refused.map((r) => ({ index: rejected[r.index]!.index, error: r.error }));
  }

  /** What a write did: its records, and for a span the newest event time and the watermarks. */
  private facts(batch: Batch, written: number, started: number, spanned: boolean): CallFacts {
    const read = this.o.newestRead?.();
    return {
      recordsIn: batch.length, recordsOut: written, ms: performance.now() - started,
      newest: spanned ? newestTime(batch.times) : MIN_WATERMARK, watermark: this.watermark, watermarkLag: watermarkLag(read, this.watermark),
    };
  }

  /** Output rows (`{operator, provenance, …}`): undecodable when the source itself dead-lettered them. */
  private tally(batch: Batch, rejected: readonly { index: number }[]): void {
    const skip = rejected.length ? new Set(rejected.map((r) => r.index)) : undefined;
    for (let i = 0; i < batch.length; i++) {
      if (skip?.has(i)) continue;
      const row = batch.values[i] as { operator?: unknown; provenance?: unknown } | undefined;
      const p = Array.isArray(row?.provenance) ? (row.provenance[0] as Provenance | undefined) : (row?.provenance as Provenance | undefined);
      if (!p?.source) continue;
      const key = `${p.source}/${p.output ?? ''}`;
      const into = row!.operator === p.source ? this.byStream.undecodable : this.byStream.admitted;
      into[key] = (into[key] ?? 0) + 1;
    }
  }

  private deadLetter(batch: Batch, rejected: readonly { index: number; error: unknown }[]): void {
    this.rejected += rejected.length;
    this.calls.deadLettered(rejected.length);
    const out = this.o.deadLetter;
    if (!out) {
      const first = rejected[0]!.error;
      this.o.logger.error(`${describeStage(this.o.stage)} rejected ${rejected.length} dead-letter record(s); they cannot be dead-lettered again`, {
        error: first instanceof Error ? first.message : String(first),
      });
      return;
    }
    const b = new BatchBuilder();
    for (const { index, error } of rejected) {
      const err = error instanceof Error ? error : new Error(String(error));
      const p = batch.provenance?.[index];
      const row = deadLetterRow(this.id, err, batch.values[index], single(p));
      if (!(error instanceof Error) || !('reason' in error)) row.reason = 'sink_rejected';
      b.push(row, batch.times[index]!, 'insert', p);
    }
    out.push({ batch: b.take() });
  }
}
