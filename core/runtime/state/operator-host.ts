/**
 * The operator host: runs one operator plugin. The engine runs every operator through it
 * and the test kit (`core/testing`) wraps it, so tests exercise exactly what runs.
 *
 *   const host = new OperatorHost({ definition, config, id, backend, expressions, inputs, clock });
 *   const forward = host.handle(batch, input, wm, end); // the engine's one call per input item (below)
 *   host.processBatch(batch, input);     // keys computed here when the batch has none
 *   host.advanceWatermark(wm);           // due event timers (time order) → onWatermark → TTL cleanup
 *   host.advanceProcessingTime(now);     // due processing timers → TTL cleanup
 *   const { main, named, late, deadLetter } = host.take();
 *   const snap = host.snapshot();        // operator-local state + timers + watermark + counters;
 *   host.restore(snap);                  // keyed state lives in the backend: restore the backend first
 *
 * - `config` is the parsed config (spec applied). `plan` defaults to `definition.plan(config,
 *   inputs)`; input i is keyed by `plan.keys[i]`, else by `inputs[i].key`; a keyed operator's
 *   batch without `keys` gets them from `keys.ts` (`missing_key` records are dead-lettered).
 * - Watermarks never go back: `advanceWatermark` with a smaller or equal value does nothing
 *   and returns false. The caller computes the operator's watermark (min over non-broadcast
 *   inputs) and forwards it downstream after taking the outputs.
 * - Exceptions escaping the plugin propagate: they fail the job (records fail via `ctx.fail`).
 * - The host owns the current key (core/api/operator.ts): on a keyed input of an instance
 *   with `processRecord` it sets record i's key and time before each call, then calls
 *   `endBatch`; other inputs go to `processBatch` whole, with no key set.
 * - Back-pressure: `host.blockedInputs()` returns the instance's `blockedInputs()` (e.g.
 *   `interval_join` when a side's buffer is over its bound), and the engine stops polling
 *   those inputs until the list no longer names them.
 * - Counters (`host.counters`): `records_in`, `records_out`, `late`, `dead_lettered`, and
 *   whatever the plugin counts with `ctx.count`.
 * - The engine's operator runtime is the host (docs/architecture.md §3): `handle` runs one
 *   item of an input — its batch, then the input's watermark — and owns the operator's input
 *   watermarks (the minimum over its non-broadcast inputs), its keying (`keyed`, which the
 *   engine calls first only to prefetch a batch's keys) and its dead-letter rows (every one
 *   an operator produces is built by its `OutputCollector`), so the engine's task only feeds
 *   items, routes what `take` returns and forwards the watermark `handle` gives.
 */
import type {
  Batch, Clock, ConfigIssue, ExpressionCompiler, KeyedBatch, KeySpec, Logger, OperatorDefinition, OperatorInstance, OperatorPlan,
  StateBackend, StateDescriptor, StreamInfo,
} from '../../api/index.ts';
import { createTimerService } from '../timers/timer-service.ts';
import { TimerQueue, type TimerQueueSnapshot } from '../timers/timer-queue.ts';
import { createStateHandles, type KeyedStateSet } from './handles.ts';
import { KeyContext } from './key-context.ts';
import { integerKey, keyBatch, type KeyExtractor, keyExtractor } from './keys.ts';
import { HostContext } from './operator-context.ts';
import { OutputCollector, type OperatorOutputs } from './outputs.ts';
import { keyBudget } from './key-budget.ts';
import { InputWatermarks, type InputWatermarkState } from './input-watermarks.ts';

export interface OperatorHostOptions {
  readonly definition: AnyOperatorDefinition;
  /** Parsed config: validated by the plugin's spec, defaults applied, durations in ms. */
  readonly config: unknown;
  /** Stable operator id (the block's id); names its state tables. */
  readonly id: string;
  readonly job?: string;
  readonly backend: StateBackend;
  readonly expressions: ExpressionCompiler;
  /** What the planner knows about each input, in the order of the block's `input:`. */
  readonly inputs: readonly StreamInfo[];
  readonly clock: Clock;
  /** The plugin's declared services, resolved (`definition.deps`). */
  readonly deps?: Readonly<Record<string, unknown>>;
  readonly logger?: Logger;
  /** The plan, when the caller already has it (the compiled pipeline's). */
  readonly plan?: OperatorPlan;
  /** Keyed-state budget in keys (`state.max_keys`; 0 or absent: none); see key-budget.ts. */
  readonly maxKeys?: number;
}

/** Serialisable operator-local checkpoint state. */
export interface OperatorHostSnapshot {
  readonly version: 1;
  readonly watermark: number;
  readonly timers: TimerQueueSnapshot;
  readonly operator: unknown;
  readonly counters: [string, number][];
}

/**
 * Any operator definition, whatever its config, deps and state types. Methods (not function
 * properties) so that a definition with a precise config type is assignable to it.
 */
export interface AnyOperatorDefinition extends Omit<OperatorDefinition, 'state' | 'plan' | 'create' | 'check'> {
  state?(config: any): Record<string, StateDescriptor>;
  plan(config: any, inputs: readonly StreamInfo[]): OperatorPlan;
  create(ctx: any): OperatorInstance;
  check?(config: any): readonly ConfigIssue[];
}

/** Timers fired between two looks at how much a slice has emitted (`fireDue`). */
const SLICE_CHECK = 64;

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };

export class OperatorHost {
  readonly id: string;
  readonly plan: OperatorPlan;
  readonly instance: OperatorInstance;
  readonly timers = new TimerQueue();
  private readonly keys = new KeyContext();
  private readonly out: OutputCollector;
  private readonly ctx: HostContext;
  private readonly state: KeyedStateSet;
  private readonly extractors: (KeyExtractor | undefined)[];
  /** The operator declares `integerKeys` and the backend takes them: a key of one integer field is a number. */
  private readonly integerKeys: boolean;
  private readonly clock: Clock;
  /** Throws `KeyBudgetExceeded` when the operator holds more keys than its budget. */
  private readonly checkKeys: () => void;
  /** Each input's watermark; the operator's is their minimum over the non-broadcast ones (`handle`). */
  readonly inputWatermarks: InputWatermarks;
  /** Inputs whose stream ended. */
  private readonly ended: boolean[];
  /** The watermark `handle` last gave to forward: the operator's, held back by the instance's hold. */
  private forwarded = Number.NEGATIVE_INFINITY;
  /** A watermark's due timers are partly fired (`firing`). */
  private paused = false;

  constructor(options: OperatorHostOptions) {
    const { definition, config, id, backend, inputs, clock } = options;
    this.id = id;
    this.clock = clock;
    this.plan = options.plan ?? definition.plan(config, inputs);
    this.out = new OutputCollector(id, Object.keys(this.plan.outputs ?? {}));
    this.ctx = new HostContext(id, createTimerService(this.timers, this.keys), this.keys, clock, this.out);
    this.integerKeys = definition.integerKeys === true && backend.integerKeys === true;
    this.extractors = inputs.map((input, i) => {
      const spec: KeySpec | undefined = this.plan.keys?.[i] ?? input.key;
      return definition.keyed && spec && spec.length ? keyExtractor(spec, this.integerKeys) : undefined;
    });
    const descriptors: Record<string, StateDescriptor> = definition.state?.(config) ?? {};
    this.state = createStateHandles(backend, id, descriptors, this.keys, {
      watermark: () => this.ctx.watermark,
      now: () => clock.now(),
    });
    this.checkKeys = keyBudget(id, options.maxKeys ?? 0, () => this.state.keyCount());
    this.inputWatermarks = new InputWatermarks(inputs.length, this.plan.broadcastInputs ?? []);
    this.ended = inputs.map(() => false);
    this.instance = definition.create({
      id,
      config,
      deps: options.deps ?? {},
      logger: options.logger ?? silentLogger,
      job: options.job ?? 'job',
      state: this.state.handles,
      expressions: options.expressions,
      inputs,
    });
  }

  /** The operator's watermark: `-Infinity` before any, `+Infinity` after end of input. */
  get watermark(): number {
    return this.ctx.watermark;
  }

  get counters(): ReadonlyMap<string, number> {
    return this.ctx.counters;
  }

  /** Runs one batch of input `input` against the watermark in force. */
  processBatch(batch: Batch | KeyedBatch, input: number): void {
    if (batch.length === 0) return;
    const keyed = this.keyed(batch, input);
    this.ctx.count('records_in', batch.length);
    this.ctx.batch = keyed;
    try {
      if (keyed.length) this.dispatch(keyed, input);
    } finally {
      this.ctx.batch = undefined;
      this.keys.key = undefined;
      this.keys.time = Number.NEGATIVE_INFINITY;
    }
    this.checkKeys();
  }

  /** Hands a batch to the instance: record by record with the key set, or whole. */
  private dispatch(batch: KeyedBatch, input: number): void {
    const instance = this.instance;
    const keys = batch.keys;
    if (instance.processRecord !== undefined && keys !== undefined && this.extractors[input] !== undefined) {
      const k = this.keys;
      const times = batch.times;
      const ctx = this.ctx;
      for (let i = 0; i < batch.length; i++) {
        k.key = keys[i];
        k.time = times[i]!;
        instance.processRecord(batch, i, input, ctx);
      }
      k.key = undefined;
      k.time = Number.NEGATIVE_INFINITY;
      instance.endBatch?.(batch, input, ctx);
      return;
    }
    if (instance.processBatch === undefined) throw new Error(`operator '${this.id}' has no processBatch for input ${input}, which is not keyed`);
    instance.processBatch(batch, input, this.ctx);
  }

  /**
   * Advances the watermark to `watermark`: fires due event-time timers in time order (the
   * key set, `ctx.watermark` already the new one), then `onWatermark`, then TTL cleanup.
   */
  advanceWatermark(watermark: number): boolean {
    if (!(watermark > this.ctx.watermark)) return false;
    this.ctx.watermark = watermark;
    this.fireDue(Number.POSITIVE_INFINITY);
    return true;
  }

  /**
   * True while a watermark's due timers are only partly fired: `handle` (or `resume`) stopped
   * once the timers had emitted `slice` records, so the caller can route them before the
   * rest; `resume` goes on. Nothing else may be fed to the host meanwhile.
   */
  get firing(): boolean {
    return this.paused;
  }

  /**
   * Fires due event-time timers until they have emitted `slice` records (checked every
   * `SLICE_CHECK` timers); when none is left, `onWatermark` and TTL cleanup. False when it
   * stopped with timers still due (`firing`).
   */
  private fireDue(slice: number): boolean {
    const watermark = this.ctx.watermark;
    const onTimer = this.instance.onTimer?.bind(this.instance);
    const keys = this.keys;
    let fired = 0;
    this.paused = false;
    const timers = this.timers;
    for (let key = timers.popDueKey(watermark); key !== undefined; key = timers.popDueKey(watermark)) {
      const timestamp = timers.poppedAt;
      keys.key = key;
      keys.time = timestamp;
      onTimer?.(timestamp, key, 'event', this.ctx);
      if (++fired % SLICE_CHECK === 0 && this.out.pending >= slice) {
        this.paused = true;
        break;
      }
    }
    keys.key = undefined;
    keys.time = Number.NEGATIVE_INFINITY;
    if (this.paused) return false;
    this.instance.onWatermark?.(this.ctx);
    this.state.expire(watermark, this.clock.now());
    this.checkKeys();
    return true;
  }

  /**
   * Input `input`'s batch keyed as this operator keys it: a record without a value for a key
   * field is dead-lettered here, the others get `keys`. Unchanged when the operator does not
   * key that input or the batch has keys already.
   */
  keyed(batch: Batch | KeyedBatch, input: number): KeyedBatch {
    const extractor = this.extractors[input];
    const given = (batch as KeyedBatch).keys;
    if (given !== undefined && extractor !== undefined && this.integerKeys) return { ...batch, keys: given.map(integerKey) };
    if (!extractor || given) return batch as KeyedBatch;
    return keyBatch(batch, extractor, (i, error) => {
      this.out.addDeadLetter(batch.values[i], batch.times[i]!, error, batch.provenance?.[i]);
      this.ctx.count('dead_lettered');
    });
  }

  /**
   * Runs one item of input `input` as the engine feeds it: the batch (against the watermark in
   * force), then the input's watermark (`end`: +∞, its stream ended), which moves the
   * operator's — the minimum over its non-broadcast inputs — firing due timers and
   * `onWatermark`. Returns the watermark to forward after taking the outputs: the operator's
   * held back by the instance's `watermarkHold()` (a hold this batch released moves it on too),
   * when that passed the last one returned; else undefined.
   *
   * With a `slice`, firing stops once the timers have emitted about that many records, with
   * more timers due: `firing` is then true and the result undefined. The caller takes and
   * routes what was emitted, then calls `resume` until `firing` is false; the watermark to
   * forward comes from the `resume` that finished. So a watermark that fires a million
   * windows hands them on a slice at a time instead of holding every row at once.
   */
  handle(batch: Batch | KeyedBatch | undefined, input: number, watermark: number | undefined, end: boolean, slice = Number.POSITIVE_INFINITY): number | undefined {
    if (this.paused) throw new Error(`operator '${this.id}' was fed while its timers were still firing (resume first)`);
    if (batch?.length) this.processBatch(batch, input);
    let advanced: number | undefined;
    if (end) {
      this.ended[input] = true;
      advanced = this.inputWatermarks.advance(input, Number.POSITIVE_INFINITY);
    } else if (watermark !== undefined) {
      advanced = this.inputWatermarks.advance(input, watermark);
    }
    if (advanced !== undefined && advanced > this.ctx.watermark) {
      this.ctx.watermark = advanced;
      if (!this.fireDue(slice)) return undefined;
    }
    return this.forward();
  }

  /**
   * Goes on firing the due timers `handle` stopped at (`firing`), again up to `slice` records;
   * returns what `handle` would have: the watermark to forward once every due timer fired.
   */
  resume(slice = Number.POSITIVE_INFINITY): number | undefined {
    if (!this.paused) return undefined;
    return this.fireDue(slice) ? this.forward() : undefined;
  }

  /** The watermark to forward after an item, when it passed the last one forwarded. */
  private forward(): number | undefined {
    const held = Math.min(this.inputWatermarks.current, this.watermarkHold());
    if (!(held > this.forwarded)) return undefined;
    this.forwarded = held;
    return held;
  }

  /** True once every input's stream ended (`handle` with `end`). */
  get allEnded(): boolean {
    return this.ended.every(Boolean);
  }

  /** Whether input `input`'s stream ended. */
  inputEnded(input: number): boolean {
    return this.ended[input]!;
  }

  /** The input watermarks, for the engine's checkpoint (beside `snapshot`). */
  inputSnapshot(): { readonly inputs: InputWatermarkState; readonly ended: readonly boolean[] } {
    return { inputs: this.inputWatermarks.snapshot(), ended: [...this.ended] };
  }

  /** Restores the input watermarks; ended inputs come back (their sources reopen at their end and end again). */
  restoreInputs(state: { readonly inputs: InputWatermarkState }): void {
    this.inputWatermarks.restore(state.inputs);
  }

  /** Fires processing-time timers due at `now`, then processing-time TTL cleanup. */
  advanceProcessingTime(now: number): void {
    const onTimer = this.instance.onTimer?.bind(this.instance);
    for (let timer = this.timers.popDueProcessing(now); timer; timer = this.timers.popDueProcessing(now)) {
      this.keys.key = timer.key;
      this.keys.time = Number.NEGATIVE_INFINITY;
      onTimer?.(timer.timestamp, timer.key, 'processing', this.ctx);
    }
    this.keys.key = undefined;
    this.state.expire(this.ctx.watermark, now);
    this.checkKeys();
  }

  /** Everything emitted since the last call. */
  take(): OperatorOutputs {
    const taken = this.out.take();
    let emitted = taken.main.length;
    for (const b of Object.values(taken.named)) emitted += b.length;
    if (emitted) this.ctx.count('records_out', emitted);
    return taken;
  }

  /** The instance's watermark hold (`+∞` when it has none). */
  watermarkHold(): number {
    return this.instance.watermarkHold?.() ?? Number.POSITIVE_INFINITY;
  }

  /** Inputs the instance asks not to be fed for now (bounded buffers). */
  blockedInputs(): readonly number[] {
    return this.instance.blockedInputs?.() ?? [];
  }

  snapshot(): OperatorHostSnapshot {
    return {
      version: 1,
      watermark: this.ctx.watermark,
      timers: this.timers.snapshot(),
      operator: this.instance.snapshot?.(),
      counters: [...this.ctx.counters],
    };
  }

  /** Restores operator-local state; the backend must already hold the restored keyed state. */
  restore(snapshot: OperatorHostSnapshot): void {
    if (snapshot.version !== 1) throw new Error(`operator '${this.id}': unknown snapshot version ${String(snapshot.version)}`);
    this.ctx.watermark = snapshot.watermark;
    // A checkpoint taken before the operator held integer keys has their text: the same keys.
    this.timers.restore(snapshot.timers, this.integerKeys ? integerKey : undefined);
    this.ctx.counters.clear();
    for (const [name, n] of snapshot.counters) this.ctx.counters.set(name, n);
    if (this.integerKeys) this.state.rekey(integerKey);
    this.state.reload();
    if (snapshot.operator !== undefined) this.instance.restore?.(snapshot.operator);
  }

  /** Keyed state size of this operator (sampled), for metrics and the benchmark. */
  stateStats(): { keys: number; bytes: number; timers: number } {
    return { keys: this.state.keyCount(), bytes: this.state.approximateBytes(), timers: this.timers.size };
  }

  async close(): Promise<void> {
    await this.instance.close?.();
  }
}
