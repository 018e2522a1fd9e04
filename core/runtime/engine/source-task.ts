/**
 * One source of a job, polled in its own async loop: it waits until every downstream queue
 * has room (back-pressure), polls at most `batch_size` records, admits them (decode, event
 * time, provenance), generates the source's watermark and pushes one item per output.
 *
 * With watermark alignment, before each poll the source pauses its partitions that run
 * too far ahead of the group's minimum (or, when it cannot pause partitions, is not polled
 * while all of them do; watermark-alignment.ts).
 *
 * The loop parks at its top when a checkpoint pauses it (nothing is held between
 * iterations; a loop waiting for room downstream parks at once), and leaves when the source ends (`poll` → null: it sends +∞ and the end of
 * the stream at once) or when the job stops it (the job sends the end later, after the
 * shutdown checkpoint, with `finish`).
 */
import { BatchBuilder, MAX_WATERMARK, MIN_WATERMARK } from '../../api/index.ts';
import type { Clock, SourceChunk, SourceInstance } from '../../api/index.ts';
import type { Span, SpanContext, Tracer } from '@opentelemetry/api';
import { SPAN_ATTR, producerLinks } from '../../telemetry/index.ts';
import type { StageMetrics } from '../../telemetry/index.ts';
import type { CompiledSource } from '../graph/types.ts';
import { getCodec } from '../codec/index.ts';
import { Admission } from './admit.ts';
import type { StageRef } from './errors.ts';
import { PluginCalls, newestTime } from './plugin-calls.ts';
import { awaitSpace } from './flow.ts';
import type { Outlet } from './flow.ts';
import { SourceWatermarks } from './source-watermarks.ts';
import type { SourceWatermarkState } from './source-watermarks.ts';
import { SourceAlignment } from './watermark-alignment.ts';
import type { AlignmentGroup } from './watermark-alignment.ts';
import { sleep } from './budget.ts';
import type { EventBudget } from './budget.ts';

export interface SourceTaskOptions {
  readonly compiled: CompiledSource;
  readonly instance: SourceInstance;
  /** By output name (`''` for the main output). */
  readonly outlets: ReadonlyMap<string, Outlet>;
  readonly deadLetter: Outlet;
  readonly clock: Clock;
  readonly batchSize: number;
  /** Real milliseconds to wait after a poll that brought nothing. */
  readonly idlePollMs: number;
  /** Called after a poll that brought nothing (moves a logical clock). */
  readonly onIdlePoll?: () => void;
  readonly budget: EventBudget;
  readonly metrics: StageMetrics;
  /** Set when batch traces are on: each poll starts a trace (batch-tracer.ts). */
  readonly tracer: Tracer | undefined;
  /** True once the job has failed or been abandoned: the loop leaves at once. */
  readonly aborted: () => boolean;
  /** The source's alignment group, when its `event_time` has `alignment`. */
  readonly alignmentGroup?: AlignmentGroup;
}

type Mode = 'run' | 'pause' | 'stop';

/** Busy milliseconds a source loop runs before it lets timers and I/O in. */
const YIELD_MS = 10;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class SourceTask {
  readonly id: string;
  readonly stage: StageRef;
  readonly watermarks: SourceWatermarks;
  private readonly admission: Admission;
  /** Set when the source is aligned. */
  readonly alignment: SourceAlignment | undefined;
  /** True when the source pauses partitions itself; false: held as a whole. */
  private readonly pausesPartitions: boolean;
  private readonly allOutlets: Outlet[];
  /** Every call into the instance (plugin-calls.ts). */
  private readonly calls: PluginCalls;
  private mode: Mode = 'run';
  private parked = false;
  private parkWaiters: (() => void)[] = [];
  private resumeWaiter: (() => void) | undefined;
  /** Set while the loop waits for room downstream: a pause ends that wait (nothing is held yet). */
  private stopWaitingForSpace: (() => void) | undefined;
  private sentWatermark = MIN_WATERMARK;
  /** True once the stream's end was sent downstream. */
  finished = false;
  /** True once `poll` returned null. */
  exhausted = false;
  private loop: Promise<void> | undefined;
  private loopDone = false;
  private blockedMs = 0;
  private blockedSince = performance.now();
  recordsIn = 0;
  deadLettered = 0;

  constructor(private readonly o: SourceTaskOptions) {
    const c = o.compiled;
    this.id = c.id;
    this.stage = { kind: 'source', id: c.id, plugin: c.plugin.name, location: c.location };
    this.watermarks = new SourceWatermarks(c.eventTime.maxOutOfOrderness, c.eventTime.idleTimeout);
    this.admission = new Admission({ sourceId: c.id, codec: getCodec(c.codec), timeField: c.eventTime.field, maxFuture: c.eventTime.maxFuture });
    this.allOutlets = [...o.outlets.values(), o.deadLetter];
    const spec = c.eventTime.alignment;
    this.alignment = spec && o.alignmentGroup ? new SourceAlignment(o.alignmentGroup, this.watermarks, spec) : undefined;
    this.pausesPartitions = typeof o.instance.pausePartitions === 'function' && typeof o.instance.resumePartitions === 'function';
    this.calls = new PluginCalls(this.stage, `source ${c.id} poll`, o.tracer, o.metrics, o.clock);
  }

  /** The instance's `savepointReached` (a repartition input of a job run as tasks), if it has one. */
  get savepointReached(): ((id: string) => boolean) | undefined {
    const instance = this.o.instance;
    return instance.savepointReached ? (id) => instance.savepointReached!(id) : undefined;
  }

  /** The newest event time this source has read (−∞ before any). */
  get newestRead(): number {
    return this.watermarks.newest;
  }

  /** Declares the partitions the source knows up front (after `open`). */
  declarePartitions(): void {
    const { instance } = this.o;
    const parts = this.calls.call('partitions', () => instance.partitions?.());
    if (!parts?.length) return;
    const outputs = this.o.compiled.outputs;
    // A plain id is a partition of every output; `{ output, partition }` of that one only.
    const declared = parts.flatMap((p) => (typeof p === 'object' ? [[p.output, p.partition] as const] : outputs.map((out) => [out, p] as const)));
    const keys = declared.map(([out, p]) => SourceWatermarks.key(out || undefined, p));
    this.watermarks.declare(keys, this.o.clock.now());
    if (this.alignment) declared.forEach(([, p], i) => this.alignment!.note(keys[i]!, p));
  }

  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  /** Resolves once the loop is parked (or gone): nothing of this source is in flight after. */
  pause(): Promise<void> {
    if (this.mode === 'run') this.mode = 'pause';
    // Blocked on back-pressure, the loop has not polled yet: it parks now, not once the consumer took an item.
    this.stopWaitingForSpace?.();
    if (!this.loop || this.parked || this.loopDone) return Promise.resolve();
    return new Promise((resolve) => this.parkWaiters.push(resolve));
  }

  resume(): void {
    if (this.mode !== 'pause') return;
    this.mode = 'run';
    const w = this.resumeWaiter;
    this.resumeWaiter = undefined;
    w?.();
  }

  /** Stops polling for good; resolves when the loop has left. The end is sent by `finish`. */
  stop(): Promise<void> {
    this.mode = 'stop';
    const w = this.resumeWaiter;
    this.resumeWaiter = undefined;
    w?.();
    return this.loop ?? Promise.resolve();
  }

  get stopped(): boolean {
    return this.mode === 'stop';
  }

  /** Position after the last record admitted. */
  position(): unknown {
    return this.calls.call('position', () => this.o.instance.position());
  }

  /** A checkpoint that recorded `position` completed (commit offsets). */
  async checkpointComplete(position: unknown): Promise<void> {
    const { instance } = this.o;
    if (instance.onCheckpointComplete) await this.calls.callAsync('onCheckpointComplete', () => instance.onCheckpointComplete!(position));
  }

  snapshot(): SourceWatermarkState {
    return this.watermarks.snapshot();
  }

  restore(state: SourceWatermarkState): void {
    this.watermarks.restore(state, this.o.clock.now());
    this.sentWatermark = state.combined;
  }

  /** Share of time spent waiting on full queues since the last call. */
  takeBackpressure(): number {
    const now = performance.now();
    const total = now - this.blockedSince;
    const ratio = total > 0 ? Math.min(1, this.blockedMs / total) : 0;
    this.blockedMs = 0;
    this.blockedSince = now;
    return ratio;
  }

  /** Sends +∞ and the end of every output stream (end of input, or after a stop). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.watermarks.end();
    for (const outlet of this.o.outlets.values()) outlet.push({ watermark: MAX_WATERMARK, end: true });
  }

  private park(): Promise<void> {
    this.parked = true;
    const waiters = this.parkWaiters;
    this.parkWaiters = [];
    for (const w of waiters) w();
    return new Promise<void>((resolve) => {
      this.resumeWaiter = resolve;
    }).then(() => {
      this.parked = false;
    });
  }

  private async run(): Promise<void> {
    const { instance, budget, idlePollMs } = this.o;
    let busySince = performance.now();
    for (;;) {
      if (this.o.aborted()) return;
      // A source whose poll resolves at once (generator, file) keeps the whole graph in
      // microtasks: timers (periodic checkpoints, the processing-time ticker, telemetry
      // export) and signal handlers would wait for the end of input. Yield to the event
      // loop after every YIELD_MS of busy work.
      if (performance.now() - busySince >= YIELD_MS) {
        await yieldToEventLoop();
        busySince = performance.now();
      }
      if (this.mode === 'stop') break;
      if (this.mode === 'pause') {
        await this.park();
        continue;
      }
      const space = awaitSpace(this.allOutlets);
      if (space) {
        const t0 = performance.now();
        await new Promise<void>((resolve) => {
          this.stopWaitingForSpace = resolve;
          void space.then(resolve);
        });
        this.stopWaitingForSpace = undefined;
        this.blockedMs += performance.now() - t0;
      }
      if (this.mode !== 'run' || this.o.aborted()) continue;
      if (this.alignment && this.aligned()) {
        // Every partition is ahead of the group: not polled until the minimum catches up.
        this.o.onIdlePoll?.();
        await sleep(idlePollMs);
        busySince = performance.now();
        continue;
      }
      const max = Math.min(this.o.batchSize, budget.remaining);
      if (max <= 0) {
        budget.exhausted();
        this.mode = 'stop';
        break;
      }
      const chunks = await this.calls.callAsync('poll', () => instance.poll(max));
      if (this.o.aborted()) return;
      if (chunks === null) {
        this.exhausted = true;
        this.finish();
        break;
      }
      const records = this.admit(budget.cut(chunks));
      if (records === 0) {
        this.o.onIdlePoll?.();
        if (chunks.length === 0) {
          await sleep(idlePollMs);
          busySince = performance.now();
        }
      }
    }
    // Wake a pause() that raced with the exit.
    this.loopDone = true;
    const waiters = this.parkWaiters;
    this.parkWaiters = [];
    for (const w of waiters) w();
  }

  /**
   * Applies watermark alignment before a poll: pauses and resumes partitions through the
   * source, or, for a source that cannot, returns true while the whole source is held.
   */
  private aligned(): boolean {
    const alignment = this.alignment!;
    const now = this.o.clock.now();
    if (!this.pausesPartitions) return alignment.hold(now);
    const changes = alignment.update(now);
    if (!changes) return false;
    const { instance } = this.o;
    if (changes.resume.length) this.calls.call('resumePartitions', () => instance.resumePartitions!(changes.resume));
    if (changes.pause.length) this.calls.call('pausePartitions', () => instance.pausePartitions!(changes.pause));
    return false;
  }

  /** Admits the chunks of one poll and pushes them; returns the records admitted. */
  private admit(chunks: readonly SourceChunk[]): number {
    const now = this.o.clock.now();
    const started = performance.now();
    const span = chunks.length ? this.startPoll(chunks) : undefined;
    const trace: SpanContext | undefined = span?.spanContext();
    // Unsampled (the usual case at a low ratio): nothing is recorded, so nothing is computed for it.
    const recording = span?.isRecording() === true;
    const builders = new Map<string, BatchBuilder>();
    const dead = new BatchBuilder();
    let total = 0;
    let seen = 0;
    let newest = MIN_WATERMARK;
    for (const chunk of chunks) {
      const output = chunk.output ?? '';
      if (!this.o.outlets.has(output)) {
        throw this.calls.failure('poll', new Error(`returned records for undeclared output '${output}' (declared: ${[...this.o.outlets.keys()].map((k) => k || "''").join(', ')})`));
      }
      let b = builders.get(output);
      if (!b) builders.set(output, (b = new BatchBuilder()));
      const from = b.length;
      const n = this.admission.admit(chunk, b, dead, now);
      seen += chunk.values?.length ?? chunk.payloads?.length ?? 0;
      const key = SourceWatermarks.key(chunk.output, chunk.partition);
      this.alignment?.note(key, chunk.partition);
      this.watermarks.observe(key, b.times, from, n, now);
      if (recording) newest = newestTime(b.times, from, n, newest);
      if (chunk.watermark !== undefined) this.watermarks.explicit(key, chunk.watermark, now);
      total += n;
    }
    this.watermarks.checkIdle(now);
    const w = this.watermarks.update();
    const advanced = w > this.sentWatermark;
    if (advanced) this.sentWatermark = w;
    for (const [name, outlet] of this.o.outlets) {
      const b = builders.get(name);
      const batch = b && b.length ? b.take() : undefined;
      if (batch || advanced) outlet.push(advanced ? (batch ? { batch, watermark: w, trace, readAt: now } : { watermark: w, trace, readAt: now }) : { batch: batch!, trace, readAt: now });
    }
    if (dead.length) {
      const n = dead.length;
      this.o.deadLetter.push({ batch: dead.take(), trace, readAt: now });
      this.calls.deadLettered(n);
      this.deadLettered += n;
    }
    this.recordsIn += seen;
    const newestRead = this.watermarks.newest;
    const lag = Number.isFinite(w) && Number.isFinite(newestRead) ? Math.max(0, newestRead - w) : undefined;
    this.calls.finish(span, { recordsIn: seen, recordsOut: total, ms: performance.now() - started, newest, watermark: w, watermarkLag: lag });
    return seen;
  }

  /** The poll's span: a new trace for its batches, linked to the sampled producers named by the chunks' `traceparent` values. */
  private startPoll(chunks: readonly SourceChunk[]): Span | undefined {
    let values: string[] | undefined;
    for (const c of chunks) if (c.traceparents?.length) (values ??= []).push(...c.traceparents);
    const links = values ? producerLinks(values) : undefined;
    const span = this.calls.rootSpan(links);
    if (links?.length && span?.isRecording()) span.setAttribute(SPAN_ATTR.producerLinks, links.length);
    return span;
  }
}
