/**
 * Checkpoints (docs/architecture.md §5), aligned or unaligned. One attempt:
 *
 *   1. pause every source (its loop parks between polls) and then,
 *      aligned: wait until nothing is in flight: every queue empty, every operator and
 *      sink done with its last item;
 *      unaligned (`checkpoint.unaligned`): freeze every operator and sink at its next item
 *      boundary, let the mini-batch holders flush into their queues, and take the queues'
 *      items into the checkpoint (in-flight.ts; serialised after the pause): no drain, so
 *      the pause does not grow with what is queued. Savepoints, stop and end-of-input
 *      checkpoints, and attempts once a source has ended, are aligned;
 *   2. freeze the operators (no processing-time tick at the barrier) and record each
 *      source's position after the last record it admitted;
 *   3. serialise the runtime state (watermark generators, operator watermarks, timers,
 *      operator-local snapshots: small) and capture the state backend
 *      (`StateBackend.capture`: cheap, the keyed state as it is now);
 *   4. ask every sink — the late and dead-letter outputs included — for its position, after
 *      all its earlier writes resolved;
 *   5. unfreeze the operators and resume the sources: the pause ends here (unaligned, with
 *      a state capture: as soon as every sink's position is asked for, the sinks taking
 *      their later items behind it);
 *   6. write the captured state and the runtime state in chunks of at most 4 MB while the
 *      job runs on (serialising up to 64 MB ahead of the store, so the capture closes
 *      sooner), then commit the manifest atomically; only then is the checkpoint
 *      complete, and sources and sinks hear `onCheckpointComplete` (Kafka offsets are
 *      committed then — by the exactly-once sink's transaction when the job has one,
 *      exactly-once.ts, and then not by the sources).
 *
 * A backend without `capture` is snapshotted at step 3 with the job still paused, and the
 * pause ends after the commit (stop the world). An attempt that takes longer than
 * `checkpoint.timeout`, or fails, is declined, its capture released, and the job goes on;
 * more than `tolerable_failures` consecutive declines fail the job; sinks hear
 * `onCheckpointAborted`. Attempts never overlap.
 *
 * Every manifest records the pipeline's shape (its hash and operators' state descriptors);
 * a savepoint (kind `savepoint`) is an ordinary attempt whose manifest also carries its
 * savepoint id, so `prune` keeps it until it is deleted.
 *
 * Traced as its own trace (sampled by `tracing.checkpoint_sample_ratio`): a root span
 * `checkpoint`, and a child per participating block for its part at the barrier —
 * `checkpoint source <id>` (pausing the source), `checkpoint operator <id>` (its snapshot),
 * `checkpoint sink <id>` (its earlier writes and its position).
 */
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { SluiceError } from '../../api/index.ts';
import type { CheckpointManifest, SavepointMark } from '../../api/index.ts';
import { CHECKPOINT_SPAN, SPAN_ATTR, checkpointBlockSpanName } from '../../telemetry/index.ts';
import type { EngineMetrics } from '../../telemetry/index.ts';
import { CheckpointBarrier } from '../checkpoint/barrier.ts';
import { readAhead } from '../checkpoint/read-ahead.ts';
import { MAX_CHUNK_BYTES, newWriterTag, runtimeChunks, writeCheckpointChunks, writtenBy } from '../checkpoint/snapshot-io.ts';
import type { RuntimeEntry, WrittenChunks } from '../checkpoint/snapshot-io.ts';
import type { OperatorHost } from '../state/index.ts';
import type { Flow, StreamItem } from './flow.ts';
import { captureInFlight, inFlightChunks, inFlightItems } from './in-flight.ts';
import type { BoundedQueue } from './queue.ts';
import type { CheckpointInfo } from './options.ts';
import type { OperatorTask } from './operator-task.ts';
import type { EngineSettings } from './settings.ts';
import { sourceOffsetsAt } from './exactly-once.ts';
import type { ExactlyOncePlan } from './exactly-once.ts';
import type { SinkTask } from './sink-task.ts';
import type { SourceTask } from './source-task.ts';
import { COUNTS_ENTRY, snapshotCounts } from './stage-counts.ts';

/** Checkpoint ids: one sequence per `runJob`, continuing after the latest complete one. */
export class CheckpointIds {
  constructor(private last: number) {}
  next(): number {
    return ++this.last;
  }
  /** Moves on to the next block of `OWNER_ID_BLOCK` ids: another writer uses these. */
  skipBlock(): void {
    this.last = Math.floor(this.last / OWNER_ID_BLOCK + 1) * OWNER_ID_BLOCK;
  }
}

/**
 * Ids of a task's checkpoints per instance (an attempt of the task in some process): each
 * starts in a block of its own, the first whole `OWNER_ID_BLOCK` above the latest complete
 * checkpoint. Two instances of one task overlap during a hand-off (the old owner's last
 * checkpoint still writing while the new one restores and checkpoints) or while a stalled
 * old owner has not noticed it lost the task; with the ids of one sequence both would write
 * the chunks of the same id, and a manifest could name chunks the other overwrote. The older
 * instance's ids stay in the block below, so they never meet (unless it ran this many
 * checkpoints past its start while the new one runs; the store's checked commit of the
 * manifest still refuses the second writer then), and "latest" is the newest instance's.
 * Both may still start in one block when the new one starts before the old one's hand-off
 * checkpoint is committed: then each writes chunks of its own (tagged, snapshot-io.ts), the
 * store commits one manifest per id, and the instance that finds its id taken moves to the
 * next block and leaves the other's checkpoint alone.
 */
export const OWNER_ID_BLOCK = 10_000;

export function ownerIds(latest: number): CheckpointIds {
  return new CheckpointIds(Math.floor(latest / OWNER_ID_BLOCK + 1) * OWNER_ID_BLOCK);
}

export interface CheckpointTargets {
  readonly sources: readonly SourceTask[];
  readonly operators: readonly { readonly task: OperatorTask; readonly host: OperatorHost }[];
  readonly sinks: readonly SinkTask[];
  readonly flow: Flow;
  /** Every queue of the job (what an unaligned checkpoint takes in flight). */
  readonly queues: readonly BoundedQueue<StreamItem>[];
  /** The job's exactly-once sink, which commits the sources' offsets. */
  readonly eos?: ExactlyOncePlan | undefined;
}

export const SOURCES_ENTRY = 'sources';
/** Serialised state held ahead of the store's writes, so a capture closes sooner. */
const READ_AHEAD_BYTES = 64 * 1024 * 1024;
export const operatorEntry = (id: string): string => `operator:${id}`;

export class Checkpointer {
  completed = 0;
  declined = 0;
  lastId: number | undefined;
  /** Milliseconds the sources were paused by the last attempt, completed or not. */
  lastPauseMs: number | undefined;
  /**
   * Where the running attempt's pause went (ms, logged with it): pausing the sources, reaching
   * the barrier (the drain, or unaligned the stages' current items), the snapshot at it.
   */
  private phases: { mode?: 'aligned' | 'unaligned'; sources_ms?: number; barrier_ms?: number; snapshot_ms?: number; in_flight_items?: number } = {};
  private consecutive = 0;
  private current: CheckpointBarrier | undefined;
  /** Tags this checkpointer's chunks (snapshot-io.ts): another instance of the task may write the same ids. */
  private readonly writer = newWriterTag();
  private chain: Promise<unknown> = Promise.resolve();
  /** The savepoint the run started from, recorded in every manifest (`CheckpointManifest.from`). */
  from: string | undefined;

  constructor(
    private readonly s: EngineSettings,
    private readonly t: CheckpointTargets,
    private readonly ids: CheckpointIds,
    private readonly generation: number,
    private readonly metrics: EngineMetrics,
    /** Called when declines pass the tolerance: fails the job. */
    private readonly fail: (error: SluiceError) => void,
  ) {}

  get enabled(): boolean {
    return this.s.store !== undefined;
  }

  /**
   * Gives up the running attempt, if any (the job attempt failed): it writes no more chunks,
   * commits nothing and releases its state capture, so it cannot complete behind a restart.
   */
  abandon(): void {
    this.current?.cancel();
  }

  /** Takes one checkpoint after any running one; true when it completed. */
  take(kind: CheckpointInfo['kind']): Promise<boolean> {
    return this.enqueue(kind, undefined).then((id) => id !== undefined);
  }

  /** Takes the savepoint `mark` names after any running checkpoint; its checkpoint id, or undefined when declined. */
  savepoint(mark: SavepointMark): Promise<number | undefined> {
    return this.enqueue('savepoint', mark);
  }

  private enqueue(kind: CheckpointInfo['kind'], savepoint: SavepointMark | undefined): Promise<number | undefined> {
    const run = this.chain.then(() => this.attempt(kind, savepoint));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async attempt(kind: CheckpointInfo['kind'], mark: SavepointMark | undefined): Promise<number | undefined> {
    const savepoint = mark?.id;
    const store = this.s.store;
    if (!store) return undefined;
    const id = this.ids.next();
    const started = performance.now();
    this.phases = {};
    const span = this.s.telemetry.tracing ? this.s.telemetry.tracer.startSpan(CHECKPOINT_SPAN, { root: true, attributes: { [SPAN_ATTR.checkpointId]: id } }, ROOT_CONTEXT) : undefined;
    const barrier = (this.current = new CheckpointBarrier(this.t.sources, this.t.flow));
    const work = this.run(id, kind, mark, barrier, span?.isRecording() ? span : undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ timeout: true }>((resolve) => {
      timer = setTimeout(() => resolve({ timeout: true }), this.s.checkpoint.timeout);
    });
    const outcome = await Promise.race([work.then((m) => ({ manifest: m }), (error: unknown) => ({ error })), timeout]);
    clearTimeout(timer);
    const durationMs = performance.now() - started;
    try {
      if ('manifest' in outcome) {
        const { manifest } = outcome;
        const bytes = manifest.chunks.reduce((n, c) => n + c.bytes, 0);
        this.completed++;
        this.consecutive = 0;
        this.lastId = id;
        this.metrics.checkpoint('completed', durationMs, bytes);
        span?.setAttributes({ [SPAN_ATTR.checkpointId]: id, [SPAN_ATTR.checkpointBytes]: bytes, [SPAN_ATTR.checkpointDurationMs]: durationMs, [SPAN_ATTR.checkpointOutcome]: 'completed' });
        this.s.logger.info(`${savepoint ? `savepoint ${savepoint} (checkpoint ${id})` : `checkpoint ${id}`} complete`, { checkpoint: id, kind, ...(savepoint ? { savepoint } : {}), bytes, duration_ms: Math.round(durationMs), paused_ms: Math.round(barrier.pausedMs), ...this.phases, store: store.describe() });
        await this.notifyComplete(manifest);
        this.s.onCheckpoint?.({ id, kind, bytes, durationMs, generation: this.generation });
        return id;
      }
      barrier.cancel();
      const cause = 'error' in outcome ? outcome.error : undefined;
      const why = cause === undefined ? `timed out after ${this.s.checkpoint.timeout} ms` : `failed: ${(cause as Error)?.message ?? String(cause)}`;
      this.declined++;
      this.consecutive++;
      this.metrics.checkpoint('declined', durationMs, 0);
      span?.setAttributes({ [SPAN_ATTR.checkpointId]: id, [SPAN_ATTR.checkpointOutcome]: 'declined' });
      this.s.logger.warn(`checkpoint ${id} declined: ${why}`, { checkpoint: id, kind, consecutive: this.consecutive, tolerable: this.s.checkpoint.tolerableFailures });
      if ((await this.committedByAnother(id)) === true) {
        // Another instance of this task took the id (a hand-off): its checkpoint stays; the next ids are in a block of their own.
        this.ids.skipBlock();
        this.s.logger.warn(`checkpoint ${id} was committed by another instance of ${this.s.task?.id ?? 'the job'}; taking the next ids from the next block`, { checkpoint: id });
      } else this.discard(id, work);
      for (const k of this.t.sinks) await k.checkpointAborted();
      if (this.consecutive > this.s.checkpoint.tolerableFailures) {
        this.fail(
          new SluiceError('E_CHECKPOINT', `${this.consecutive} consecutive checkpoints declined (checkpoint.tolerable_failures is ${this.s.checkpoint.tolerableFailures}); last: checkpoint ${id} ${why}`, {
            cause,
          }),
        );
      }
      return undefined;
    } finally {
      span?.end();
      barrier.end();
      this.lastPauseMs = barrier.pausedMs;
      this.current = undefined;
    }
  }

  /** A child of the checkpoint's span for one block's part; `end` it when that part is done. */
  private blockSpan(root: Span | undefined, kind: 'source' | 'operator' | 'sink', id: string): Span | undefined {
    if (!root) return undefined;
    return this.s.telemetry.tracer.startSpan(checkpointBlockSpanName(kind, id), { attributes: { [SPAN_ATTR.operatorId]: id } }, trace.setSpan(ROOT_CONTEXT, root));
  }

  private async run(id: number, kind: CheckpointInfo['kind'], savepoint: SavepointMark | undefined, barrier: CheckpointBarrier, root: Span | undefined): Promise<CheckpointManifest> {
    const { sources, operators, sinks, flow } = this.t;
    const store = this.s.store!;
    const cancelled = () => barrier.cancelled;
    const traced = <T>(kind: 'source' | 'sink', id: string, part: () => Promise<T>): Promise<T> => {
      const span = this.blockSpan(root, kind, id);
      return span ? part().finally(() => span.end()) : part();
    };
    const t0 = performance.now();
    await Promise.all(sources.map((s) => traced('source', s.id, () => s.pause())));
    const t1 = performance.now();
    // Unaligned only while every source runs: no end of stream in flight, none replayed twice.
    const unaligned = this.s.checkpoint.unaligned && (kind === 'periodic' || kind === 'manual') && !sources.some((s) => s.finished || s.exhausted);
    if (unaligned) {
      await flow.quiesce();
      flow.flushHeld();
    } else {
      await flow.drained();
      flow.freeze();
    }
    if (cancelled()) throw new SluiceError('E_CHECKPOINT', 'cancelled while draining');
    const t2 = performance.now();
    const positions: Record<string, unknown> = {};
    const watermarks: Record<string, number> = {};
    for (const s of sources) {
      positions[s.id] = s.position();
      watermarks[s.id] = s.watermarks.current;
    }
    const entries: RuntimeEntry[] = [[SOURCES_ENTRY, Object.fromEntries(sources.map((s) => [s.id, s.snapshot()]))]];
    for (const { task, host } of operators) {
      const span = this.blockSpan(root, 'operator', task.id);
      entries.push([operatorEntry(task.id), { host: host.snapshot(), task: task.snapshot() }]);
      watermarks[task.id] = task.watermark;
      span?.end();
    }
    entries.push([COUNTS_ENTRY, snapshotCounts(this.t)]);
    // Unaligned: the queued items, by reference; serialised once the job runs again.
    const inFlight = unaligned ? captureInFlight(this.t.queues) : undefined;
    if (inFlight) this.phases.in_flight_items = inFlightItems(inFlight);
    const runtime = runtimeChunks(entries, MAX_CHUNK_BYTES);
    const allRuntime = async () => (inFlight?.length ? [...runtime, ...(await inFlightChunks(inFlight, MAX_CHUNK_BYTES))] : runtime);
    const capture = barrier.hold(this.s.backend.capture?.());
    Object.assign(this.phases, { mode: unaligned ? 'unaligned' : 'aligned', sources_ms: Math.round(t1 - t0), barrier_ms: Math.round(t2 - t1), snapshot_ms: Math.round(performance.now() - t2) });
    try {
      let written: WrittenChunks | undefined;
      // Stop the world: a backend that cannot capture is written before anything moves.
      if (!capture) written = await writeCheckpointChunks(store, id, this.s.backend.snapshot(MAX_CHUNK_BYTES), await allRuntime(), cancelled, this.writer);
      const sinkPositions: Record<string, unknown> = {};
      // Each sink's position is asked for behind its earlier writes now (synchronously).
      const positionsAsked = Promise.all(sinks.map((k) => traced('sink', k.id, () => k.checkpoint(savepoint ? { savepoint: savepoint.id } : undefined))));
      // Unaligned: later items reach a sink behind that request, so the job may go on.
      if (capture && unaligned && !cancelled()) barrier.end();
      const reported = await positionsAsked;
      sinks.forEach((k, i) => {
        sinkPositions[k.id] = reported[i] ?? null;
      });
      if (capture) {
        if (cancelled()) throw new SluiceError('E_CHECKPOINT', 'cancelled at the barrier');
        barrier.end();
        written = await writeCheckpointChunks(store, id, readAhead(capture.snapshot(MAX_CHUNK_BYTES), READ_AHEAD_BYTES), await allRuntime(), cancelled, this.writer);
      }
      if (cancelled()) throw new SluiceError('E_CHECKPOINT', 'cancelled before commit');
      const manifest: CheckpointManifest = {
        id,
        job: this.s.pipeline.name,
        createdAt: this.s.clock.now(),
        generation: this.generation,
        chunks: written!.chunks,
        sources: positions,
        sinks: sinkPositions,
        runtime: { kind, watermarks },
        pipeline: this.s.shape,
        ...(savepoint ? { savepoint } : {}),
        ...(this.from !== undefined ? { from: this.from } : {}),
      };
      await store.commit(manifest);
      return manifest;
    } finally {
      barrier.release();
    }
  }

  /**
   * Deletes what a declined attempt wrote, once it has settled (a timed-out attempt stops at
   * its next chunk), so a full disk does not stay full. Best effort, in the background.
   */
  private discard(id: number, work: Promise<unknown>): void {
    const store = this.s.store;
    if (!store?.delete) return;
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    void settled
      .then(async () => {
        // Never a manifest another writer committed, nor the chunks it names.
        if ((await this.committedByAnother(id)) === true) return;
        await store.delete!(id);
      })
      .catch((error: unknown) => this.s.logger.warn(`could not delete the chunks of declined checkpoint ${id}`, { checkpoint: id, error: (error as Error)?.message ?? String(error) }));
  }

  /** Whether another writer committed checkpoint `id`; undefined when the store cannot tell. */
  private async committedByAnother(id: number): Promise<boolean | undefined> {
    const store = this.s.store;
    if (!store?.read) return undefined;
    const manifest = await store.read(id).catch(() => undefined);
    return manifest !== undefined && !writtenBy(manifest, this.writer);
  }

  private async notifyComplete(manifest: CheckpointManifest): Promise<void> {
    const { eos } = this.t;
    if (!eos) for (const s of this.t.sources) await s.checkpointComplete(manifest.sources[s.id]);
    for (const k of this.t.sinks) {
      const sourceOffsets = eos?.sinkId === k.id ? sourceOffsetsAt(eos, manifest.sources) : [];
      await k.checkpointComplete(manifest.sinks[k.id], { id: manifest.id, sourceOffsets });
    }
    // Exactly once: sources whose group offsets the sink does not commit hear it after the commit.
    if (eos) for (const s of this.t.sources) if (!eos.sources.some((g) => g.id === s.id)) await s.checkpointComplete(manifest.sources[s.id]);
    try {
      await this.s.store!.prune(this.s.checkpoint.retain);
    } catch (error) {
      this.s.logger.warn('pruning old checkpoints failed', { error: (error as Error).message });
    }
  }
}
