/**
 * `OperatorTestHarness`: drives one operator plugin the way the engine does (through the
 * same operator host), with a manual clock and per-input watermarks. Flink's
 * ProcessFunctionTestHarnesses, for Sluice.
 *
 *   const h = OperatorTestHarness.for(dedupePlugin, { fields: ['id'] });
 *   h.push([{ value: { id: 1 }, time: 10 }]).watermark(100);
 *   assert.deepEqual(h.outputValues(), [{ id: 1 }]);
 *   const snap = await h.snapshot();
 *   const h2 = await OperatorTestHarness.for(dedupePlugin, { fields: ['id'] }).restore(snap);
 *
 * Records without a `key` are keyed as the engine keys them (the plan's key fields, else
 * the input's `StreamInfo.key`). `watermark(ts)` without an input sets every input; the
 * operator's watermark is the minimum over its non-broadcast inputs and never goes back.
 */
import { serialize, deserialize } from 'node:v8';
import { APPEND_ONLY, ManualClock, MAX_WATERMARK, services } from '../api/index.ts';
import type { Batch, ChangeKind, ExpressionCompiler, PluginDefinition, ProvenanceRef, Row, ServiceRef, StateBackend, StreamInfo } from '../api/index.ts';
import { createExpressionCompiler } from '../runtime/expr/index.ts';
import { MemoryStateBackend } from '../runtime/state/memory-backend.ts';
import { OperatorHost, type OperatorHostSnapshot } from '../runtime/state/operator-host.ts';
import type { OperatorPlugin } from './operator-plugin.ts';
import type { OperatorOutputs } from '../runtime/state/outputs.ts';
import { parsePluginConfig } from './config.ts';
import { materialize } from './changelog.ts';

/** One input record. `key` overrides the computed key (give it on all records of a push or none). */
export interface TestRecord {
  readonly value: Row;
  readonly time: number;
  readonly key?: string;
  readonly kind?: ChangeKind;
  readonly provenance?: ProvenanceRef;
}

/** One emitted record. */
export interface OutputRecord {
  readonly value: Row;
  readonly time: number;
  readonly kind: ChangeKind;
  readonly provenance?: ProvenanceRef;
}

export interface HarnessOptions {
  /** What the planner would know about each input; default one unkeyed append stream per required input. */
  readonly inputs?: readonly StreamInfo[];
  /** Processing-time clock; default a `ManualClock` at 0. */
  readonly clock?: ManualClock;
  /** Operator id (names its state); default `op`. */
  readonly id?: string;
  /** Services the plugin declares beyond clock, logger and state backend, by dependency name. */
  readonly deps?: Readonly<Record<string, unknown>>;
  readonly expressions?: ExpressionCompiler;
  readonly backend?: StateBackend;
  /** Plugins the config names by name (a `keyed_process`'s `function:`); a config may also give the definition itself. */
  readonly plugins?: readonly PluginDefinition[];
}

/** What `snapshot()` returns; opaque to tests. */
export interface HarnessSnapshot {
  readonly chunks: readonly Uint8Array[];
  readonly host: Uint8Array;
  readonly inputWatermarks: readonly number[];
  readonly now: number;
}

const SNAPSHOT_CHUNK_BYTES = 4 * 1024 * 1024;

function toBatch(records: Batch | readonly TestRecord[]): Batch & { keys?: string[] } {
  if (!Array.isArray(records)) return records as Batch;
  const list = records as readonly TestRecord[];
  const withKey = list.filter((r) => r.key !== undefined).length;
  if (withKey !== 0 && withKey !== list.length) throw new Error('push: give `key` on every record of a push or on none');
  const batch = {
    length: list.length,
    values: list.map((r) => r.value),
    times: list.map((r) => r.time),
    ...(list.some((r) => r.kind && r.kind !== 'insert') ? { kinds: list.map((r) => r.kind ?? 'insert') } : {}),
    ...(list.some((r) => r.provenance !== undefined) ? { provenance: list.map((r) => r.provenance) } : {}),
    ...(withKey ? { keys: list.map((r) => r.key!) } : {}),
  };
  return batch;
}

function collect(into: OutputRecord[], batch: Batch): void {
  for (let i = 0; i < batch.length; i++) {
    const provenance = batch.provenance?.[i];
    into.push({ value: batch.values[i]!, time: batch.times[i]!, kind: batch.kinds?.[i] ?? 'insert', ...(provenance !== undefined ? { provenance } : {}) });
  }
}

export class OperatorTestHarness {
  readonly host: OperatorHost;
  readonly clock: ManualClock;
  readonly backend: StateBackend;
  private readonly inputWatermarks: number[];
  private readonly broadcast: ReadonlySet<number>;
  private main: OutputRecord[] = [];
  private named = new Map<string, OutputRecord[]>();
  private lateRows: OutputRecord[] = [];
  private dead: OutputRecord[] = [];

  private constructor(readonly definition: OperatorPlugin, readonly config: unknown, options: HarnessOptions) {
    this.clock = options.clock ?? new ManualClock(0);
    this.backend = options.backend ?? new MemoryStateBackend();
    const inputs = options.inputs ?? Array.from({ length: definition.inputs.min }, () => ({ changelog: APPEND_ONLY, allowedLateness: 0 }));
    const deps: Record<string, unknown> = {};
    const provided: Record<string, unknown> = {
      [services.clock.id]: this.clock,
      [services.stateBackend.id]: this.backend,
    };
    const declared: Readonly<Record<string, ServiceRef<unknown>>> = definition.deps ?? {};
    for (const [name, ref] of Object.entries(declared)) {
      deps[name] = options.deps?.[name] ?? provided[ref.id];
      if (deps[name] === undefined && ref.id !== services.logger.id) throw new Error(`harness: plugin needs service '${ref.id}' as '${name}': pass it in options.deps`);
    }
    this.host = new OperatorHost({
      definition, config, id: options.id ?? 'op', backend: this.backend,
      expressions: options.expressions ?? createExpressionCompiler(), inputs, clock: this.clock, deps,
    });
    this.inputWatermarks = inputs.map(() => Number.NEGATIVE_INFINITY);
    this.broadcast = new Set(this.host.plan.broadcastInputs ?? []);
  }

  /** A harness for `definition` with `config` as written in a pipeline (durations as text, defaults omitted). */
  static for(definition: OperatorPlugin, config: unknown, options: HarnessOptions = {}): OperatorTestHarness {
    return new OperatorTestHarness(definition, parsePluginConfig(definition, config, options.plugins), options);
  }

  /** Pushes records (or a ready batch) into input `input`, judged against the current watermark. */
  push(records: Batch | readonly TestRecord[], input = 0): this {
    this.host.processBatch(toBatch(records), input);
    return this.drain();
  }

  /** Sets the watermark of `input` (every input when omitted); the operator's is the min over non-broadcast inputs. */
  watermark(timestamp: number, input?: number): this {
    for (let i = 0; i < this.inputWatermarks.length; i++) {
      if (input === undefined || input === i) this.inputWatermarks[i] = Math.max(this.inputWatermarks[i]!, timestamp);
    }
    let min = Number.POSITIVE_INFINITY;
    let any = false;
    this.inputWatermarks.forEach((w, i) => {
      if (this.broadcast.has(i)) return;
      any = true;
      min = Math.min(min, w);
    });
    if (any) this.host.advanceWatermark(min);
    return this.drain();
  }

  /** Moves processing time forward by `ms` and fires due processing-time timers. */
  advanceProcessingTime(ms: number): this {
    this.clock.advance(ms);
    this.host.advanceProcessingTime(this.clock.now());
    return this.drain();
  }

  /** End of input: every input's watermark goes to +∞, so every window and event timer fires. */
  endOfInput(): this {
    return this.watermark(MAX_WATERMARK);
  }

  get currentWatermark(): number {
    return this.host.watermark;
  }

  output(): readonly OutputRecord[] {
    return this.main;
  }
  outputValues(): Row[] {
    return this.main.map((r) => r.value);
  }
  namedOutput(name: string): readonly OutputRecord[] {
    return this.named.get(name) ?? [];
  }
  /** Late rows: `{ operator, reason, watermark, event_time, record, provenance }`. */
  late(): Row[] {
    return this.lateRows.map((r) => r.value);
  }
  /** Dead-letter rows: `{ operator, reason, error, record, provenance }`. */
  deadLetters(): Row[] {
    return this.dead.map((r) => r.value);
  }
  /** Forgets the outputs collected so far (state and timers stay). */
  clearOutputs(): this {
    this.main = [];
    this.named = new Map();
    this.lateRows = [];
    this.dead = [];
    return this;
  }
  /** The main output applied as an upsert table by the plan's output key (append streams: all rows, keyed by index). */
  upsertTable(): Map<string, Row> {
    return materialize(this.main, this.host.plan.output.changelog);
  }
  counter(name: string): number {
    return this.host.counters.get(name) ?? 0;
  }
  blockedInputs(): readonly number[] {
    return this.host.blockedInputs();
  }
  stateStats(): { keys: number; bytes: number; timers: number } {
    return this.host.stateStats();
  }

  /** Snapshots keyed state (through the backend, in chunks), timers, operator state and watermarks. */
  async snapshot(): Promise<HarnessSnapshot> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of this.backend.snapshot(SNAPSHOT_CHUNK_BYTES)) chunks.push(chunk);
    // Serialised, so a snapshot that is not structured-clone safe fails here, as in a checkpoint.
    return { chunks, host: serialize(this.host.snapshot()), inputWatermarks: [...this.inputWatermarks], now: this.clock.now() };
  }

  /** Restores a snapshot into this (fresh) harness; resolves to it. */
  async restore(snapshot: HarnessSnapshot): Promise<this> {
    await this.backend.restore((async function* () { yield* snapshot.chunks; })());
    this.host.restore(deserialize(snapshot.host) as OperatorHostSnapshot);
    snapshot.inputWatermarks.forEach((w, i) => (this.inputWatermarks[i] = w));
    if (snapshot.now > this.clock.now()) this.clock.set(snapshot.now);
    return this;
  }

  async close(): Promise<void> {
    await this.host.close();
  }

  private drain(): this {
    const out: OperatorOutputs = this.host.take();
    collect(this.main, out.main);
    for (const [name, batch] of Object.entries(out.named)) {
      let list = this.named.get(name);
      if (!list) this.named.set(name, (list = []));
      collect(list, batch);
    }
    collect(this.lateRows, out.late);
    collect(this.dead, out.deadLetter);
    return this;
  }
}
