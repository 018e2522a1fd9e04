/**
 * One operator of a job, in its own loop: it takes items from its input queues (round
 * robin, skipping inputs the operator asks not to be fed) and hands each to the operator
 * host in one call (`host.handle`: the batch, then the input's watermark; the host owns the
 * input watermarks, the keying and the dead-letter rows), routes what came out (main and
 * named outputs, late and dead-letter rows), then forwards the watermark the host gave after
 * those emissions.
 *
 * One span per batch (`operator <id>`), a child of the span that made the batch (its
 * `trace`), linked to the latest batch of each other input; output that a watermark or a
 * timer fires gets a span too. One metrics record per batch; nothing per record.
 * A keyed operator whose state backend can `prefetch` gets its batch's keys loaded first.
 */
import { context, trace } from '@opentelemetry/api';
import type { Span, SpanContext, Tracer } from '@opentelemetry/api';
import { MIN_WATERMARK } from '../../api/index.ts';
import type { Batch, Clock, StateBackend } from '../../api/index.ts';
import type { StageMetrics } from '../../telemetry/index.ts';
import { MAX_LINKS, SPAN_ATTR, isSampled, operatorSpanName } from '../../telemetry/index.ts';
import type { CompiledOperator } from '../graph/types.ts';
import type { OperatorHost, OperatorOutputs } from '../state/index.ts';
import type { InputWatermarks, InputWatermarkState } from '../state/input-watermarks.ts';
import type { StageRef } from './errors.ts';
import { PluginCalls, newestTime } from './plugin-calls.ts';
import { awaitSpace } from './flow.ts';
import type { Flow, Outlet, StreamItem } from './flow.ts';
import { HeldOutput } from './held-output.ts';
import type { MiniBatchSettings } from './held-output.ts';
import type { BoundedQueue, Signal } from './queue.ts';

/**
 * Records a watermark's timers emit before the task routes them and waits for room in its
 * outlets' queues (then fires on): about one source batch's worth at a time.
 */
export const FIRING_SLICE = 4096;

export interface OperatorTaskOptions {
  readonly compiled: CompiledOperator;
  readonly host: OperatorHost;
  /** One queue per input, in the order of the block's `input:`. */
  readonly inputs: readonly BoundedQueue<StreamItem>[];
  readonly signal: Signal;
  readonly main: Outlet;
  readonly named: ReadonlyMap<string, Outlet>;
  readonly late: Outlet;
  readonly deadLetter: Outlet;
  readonly flow: Flow;
  readonly clock: Clock;
  readonly backend: StateBackend;
  readonly metrics: StageMetrics;
  /** Set when batch traces are on. */
  readonly tracer: Tracer | undefined;
  /** The newest event time the operator's upstream sources have read (for the watermark lag). */
  readonly newestRead?: () => number;
  readonly aborted: () => boolean;
  /** Real ms an operator waits for an unblocked input before it feeds a blocked one anyway. */
  readonly stallMs: number;
  /** Told when the task starts feeding blocked inputs after a stall (true) and takes input normally again (false). */
  readonly onStall?: (stage: StageRef, stalled: boolean) => void;
  /** Mini-batch compaction of upsert outputs (`held-output.ts`); off when absent. */
  readonly miniBatch?: MiniBatchSettings;
}

export interface OperatorTaskSnapshot {
  readonly inputs: InputWatermarkState;
  readonly ended: readonly boolean[];
}

export class OperatorTask {
  readonly id: string;
  readonly stage: StageRef;
  private readonly outlets: Outlet[];
  private next = 0;
  /** True from a forced pick (a stall fed past the operator's bound) until a normal one. */
  private stalled = false;
  /** When the task began waiting with only blocked inputs holding items; undefined: it is not. */
  private blockedSince: number | undefined;
  private lastProcessingTime = MIN_WATERMARK;
  /** A keyed operator over a backend that can `prefetch`: its batches' keys are loaded first. */
  private readonly prefetch: boolean;
  /** Upsert outputs held for compaction, by outlet (main and named). */
  private readonly held = new Map<Outlet, HeldOutput>();
  /** Every call into the operator, through its host (plugin-calls.ts). */
  private readonly calls: PluginCalls;
  /** With several inputs: the span context of the latest batch of each (linked where they meet). */
  private readonly latest: (SpanContext | undefined)[] | undefined;
  finished = false;
  recordsIn = 0;
  recordsOut = 0;

  constructor(private readonly o: OperatorTaskOptions) {
    const c = o.compiled;
    this.id = c.id;
    this.stage = { kind: 'operator', id: c.id, plugin: c.plugin.name, location: c.location };
    this.outlets = [o.main, ...o.named.values(), o.late, o.deadLetter];
    this.calls = new PluginCalls(this.stage, operatorSpanName(c.id), o.tracer, o.metrics, o.clock);
    this.latest = this.calls.tracer && o.inputs.length > 1 ? o.inputs.map(() => undefined) : undefined;
    const mb = o.miniBatch;
    if (mb && mb.maxRows > 0) {
      const hold = (outlet: Outlet, info: { changelog?: { mode: string; key?: readonly string[] } } | undefined) => {
        const cl = info?.changelog;
        if (outlet.connected && cl?.mode === 'upsert' && cl.key?.length) this.held.set(outlet, new HeldOutput(outlet, cl.key, mb, this.calls.tracer, this.calls.spanName));
      };
      hold(o.main, c.plan.output);
      for (const [name, outlet] of o.named) hold(outlet, c.plan.outputs?.[name]);
      if (this.held.size) o.flow.onDrain(() => this.flushHeld());
    }
    this.prefetch = c.plugin.keyed && o.backend.prefetch !== undefined;
  }

  /** The operator's input watermarks (kept by its host). */
  get watermarks(): InputWatermarks {
    return this.o.host.inputWatermarks;
  }

  get watermark(): number {
    return this.watermarks.current;
  }

  /** How far the watermark trails the newest event time read upstream (ms, ≥ 0); undefined while either is unknown. */
  watermarkLag(): number | undefined {
    const wm = this.watermarks.current;
    const newest = this.o.newestRead?.();
    if (newest === undefined || !Number.isFinite(newest) || !Number.isFinite(wm)) return undefined;
    return Math.max(0, newest - wm);
  }

  snapshot(): OperatorTaskSnapshot {
    return this.o.host.inputSnapshot();
  }

  restore(s: OperatorTaskSnapshot): void {
    this.o.host.restoreInputs(s);
  }

  async run(): Promise<void> {
    const { signal, flow } = this.o;
    for (;;) {
      if (this.o.aborted()) return;
      const space = awaitSpace(this.outlets);
      if (space) await space;
      const frozen = flow.whileFrozen();
      if (frozen) {
        await frozen;
        continue;
      }
      this.tickProcessingTime();
      const picked = this.pick();
      if (!picked) {
        if (this.held.size && (await this.waitForHeldDeadline(signal))) continue;
        const stalled = await this.waitForInput(signal);
        // A checkpoint may have frozen the stages while this task waited.
        if (!stalled || flow.whileFrozen()) continue;
        const forced = this.pick(true);
        if (!forced) continue;
        this.setStalled(true);
        await this.handle(forced[0], forced[1]);
      } else {
        this.setStalled(false);
        await this.handle(picked[0], picked[1]);
      }
      if (this.finished) return;
    }
  }

  /**
   * With changes held and no input waiting: waits for an item or the earliest held deadline,
   * flushing at the deadline. False when nothing is held (the caller waits as usual).
   */
  private async waitForHeldDeadline(signal: Signal): Promise<boolean> {
    let deadline = Infinity;
    for (const h of this.held.values()) if (h.holding && h.deadline < deadline) deadline = h.deadline;
    if (deadline === Infinity) return false;
    const wait = deadline - performance.now();
    if (wait > 0) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), Math.ceil(wait));
      });
      const woke = signal.wait().then(() => false);
      const timedOut = await Promise.race([expired, woke]);
      clearTimeout(timer);
      if (!timedOut) return true;
      signal.notify();
    }
    this.flushHeld(performance.now());
    return true;
  }

  /** Flushes held outputs (all of them, or those past their deadline); returns records pushed. */
  private flushHeld(now?: number): number {
    let pushed = 0;
    for (const h of this.held.values()) if (now === undefined || (h.holding && now >= h.deadline)) pushed += h.flush();
    if (pushed) {
      this.recordsOut += pushed;
      this.calls.finish(undefined, { recordsIn: 0, recordsOut: pushed, ms: 0, newest: MIN_WATERMARK, watermark: this.watermarks.current, watermarkLag: undefined });
    }
    return pushed;
  }

  private setStalled(stalled: boolean): void {
    if (stalled === this.stalled) return;
    this.stalled = stalled;
    this.o.onStall?.(this.stage, stalled);
  }

  /** Waits for an item; true when only blocked inputs have items after `stallMs`. */
  private async waitForInput(signal: Signal): Promise<boolean> {
    const host = this.o.host;
    const blockedWaiting = this.o.inputs.some((q, i) => q.depth > 0 && !host.inputEnded(i));
    if (!blockedWaiting) {
      this.blockedSince = undefined;
      this.setStalled(false);
      await signal.wait();
      return false;
    }
    // Measured from the first such wait, not from each wake: a task woken more often than
    // `stallMs` (by its outlets, the clock) must still stall, or it waits for good (issue 12).
    const now = performance.now();
    this.blockedSince ??= now;
    const left = this.blockedSince + this.o.stallMs - now;
    if (left <= 0) {
      this.blockedSince = undefined;
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const stall = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), left);
    });
    const woke = signal.wait().then(() => false);
    const stalled = await Promise.race([stall, woke]);
    clearTimeout(timer);
    // A wake that lost the race must not be lost: re-arm it.
    if (stalled) {
      this.blockedSince = undefined;
      signal.notify();
    }
    return stalled;
  }

  /** The next input with an item, round robin; blocked inputs only when `force`. */
  private pick(force = false): [StreamItem, number] | undefined {
    const inputs = this.o.inputs;
    const n = inputs.length;
    const host = this.o.host;
    const blocked = force ? undefined : this.calls.call('blockedInputs', () => host.blockedInputs());
    for (let k = 0; k < n; k++) {
      const i = (this.next + k) % n;
      const q = inputs[i]!;
      if (q.depth === 0) continue;
      if (blocked && blocked.length && blocked.includes(i)) continue;
      this.next = (i + 1) % n;
      this.o.flow.taken();
      return [q.shift()!, i];
    }
    return undefined;
  }

  private tickProcessingTime(): void {
    const now = this.o.clock.now();
    if (now === this.lastProcessingTime) return;
    this.lastProcessingTime = now;
    const host = this.o.host;
    this.calls.call('onTimer (processing time)', () => host.advanceProcessingTime(now));
    this.route(undefined, undefined, performance.now());
  }

  private async handle(item: StreamItem, input: number): Promise<void> {
    const { host, flow } = this.o;
    let batch = item.batch;
    const started = performance.now();
    let span: Span | undefined;
    if (this.latest && item.trace) this.latest[input] = item.trace;
    if (batch?.length) span = this.calls.childSpan(item.trace, this.latest);
    try {
      if (batch?.length && this.prefetch) {
        const keyed = host.keyed(batch, input);
        if (keyed.keys?.length) await this.o.backend.prefetch!(this.id, keyed.keys);
        batch = keyed;
      }
      const b = batch;
      const spanContext = span ? trace.setSpan(context.active(), span) : undefined;
      // One call per item: the batch, then the input's watermark (the host's timers and onWatermark).
      let forward = this.calls.call(b?.length ? 'processBatch' : 'onTimer/onWatermark', () => host.handle(b, input, item.watermark, item.end === true, FIRING_SLICE), spanContext);
      // A watermark that fires many timers: their output goes on a slice at a time, the watermark after the last.
      let routed = 0;
      while (host.firing) {
        const slice = this.route(undefined, undefined, started, span, item, false);
        span = slice.span;
        routed += slice.records;
        const room = this.roomToFire();
        if (room) await room;
        // The first slice of a watermark-only item may have opened the span its resumes run in.
        const resumeContext = span ? trace.setSpan(context.active(), span) : undefined;
        forward = this.calls.call('onTimer/onWatermark', () => host.resume(FIRING_SLICE), resumeContext);
      }
      this.route(forward, batch, started, span, item, true, routed);
      if (item.end && host.allEnded) {
        this.flushHeld();
        this.finished = true;
        this.o.main.push({ end: true });
        for (const outlet of this.o.named.values()) outlet.push({ end: true });
      }
    } catch (error) {
      span?.end();
      throw this.calls.failure(batch?.length ? 'processBatch' : 'onTimer/onWatermark', error);
    } finally {
      flow.handled();
    }
  }

  /**
   * Pushes what the host emitted, then the new watermark (in the same item, after the batch).
   * Output fired without an input batch (a watermark, a timer) gets its span here, a child
   * of the item that fired it (a new trace for a processing-time timer).
   */
  private route(watermark: number | undefined, input: Batch | undefined, started: number, span?: Span, item?: StreamItem, last = true, routed = 0): { span: Span | undefined; records: number } {
    const recordsIn = input?.length ?? 0;
    const out = this.o.host.take();
    if (!span && !recordsIn && this.calls.tracer && hasOutput(out)) span = this.calls.childSpan(item?.trace, this.latest, performance.timeOrigin + started);
    const trace = span ? span.spanContext() : item?.trace;
    const readAt = item?.readAt;
    const now = this.held.size ? performance.now() : 0;
    const emitted = this.send(this.o.main, out.main, watermark, now, trace, readAt);
    let named = 0;
    for (const [name, outlet] of this.o.named) named += this.send(outlet, out.named[name], watermark, now, trace, readAt);
    if (out.late.length) this.o.late.push({ batch: out.late, trace, readAt });
    if (out.deadLetter.length) this.o.deadLetter.push({ batch: out.deadLetter, trace, readAt });
    const ms = performance.now() - started;
    this.recordsIn += recordsIn;
    this.recordsOut += emitted + named;
    this.calls.late(out.late.length);
    this.calls.deadLettered(out.deadLetter.length);
    if (!last) return { span, records: emitted + named };
    const wm = this.watermarks.current;
    const facts = { recordsIn, recordsOut: routed + emitted + named, ms, newest: span && input ? newestTime(input.times) : MIN_WATERMARK, watermark: wm, watermarkLag: span ? this.watermarkLag() : undefined };
    const merged = span && this.latest ? { [SPAN_ATTR.mergedLinks]: Math.min(MAX_LINKS, this.latest.filter((c) => c && c.spanId !== item?.trace?.spanId && isSampled(c)).length) } : undefined;
    this.calls.finish(span, facts, merged);
    return { span, records: emitted + named };
  }

  /**
   * Between two slices of a firing: lets the consumers take the slice before the next one is
   * made (a turn of the event loop), so its rows die young instead of waiting in a queue; when
   * an outlet's queue is full, waits for room, unless the stages are (or become) frozen for a
   * checkpoint, whose consumers make none until this item ends.
   */
  private roomToFire(): Promise<void> | undefined {
    const flow = this.o.flow;
    if (flow.whileFrozen()) return undefined;
    const space = awaitSpace(this.outlets);
    if (!space) return new Promise<void>((resolve) => setImmediate(resolve));
    return new Promise<void>((resolve) => {
      const forget = flow.onFreeze(resolve);
      void space.then(() => {
        forget();
        resolve();
      });
    });
  }

  /** Pushes an output's batch and the watermark after it (or holds them); returns the records pushed. */
  private send(outlet: Outlet, batch: Batch | undefined, watermark: number | undefined, now: number, trace: SpanContext | undefined, readAt: number | undefined): number {
    const held = this.held.get(outlet);
    if (held) return held.offer(batch, watermark, now, trace, readAt);
    const n = batch?.length ?? 0;
    if (n || watermark !== undefined) outlet.push(watermark === undefined ? { batch: batch!, trace, readAt } : n ? { batch: batch!, watermark, trace, readAt } : { watermark, trace, readAt });
    return n;
  }
}

function hasOutput(out: OperatorOutputs): boolean {
  if (out.main.length || out.late.length || out.deadLetter.length) return true;
  for (const name in out.named) if (out.named[name]!.length) return true;
  return false;
}
