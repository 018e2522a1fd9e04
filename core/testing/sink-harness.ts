/**
 * `SinkTestHarness`: drives one sink plugin the way the engine does, without the engine:
 * `create` with a parsed config, `open(position)`, `write` batches one at a time,
 * `checkpoint()` then the completion notice, `close`. Failures follow the engine's rules
 * (docs/architecture.md §4): `TransientSinkError` is retried (at once: the harness does not
 * sleep), `PermanentSinkError` dead-letters the whole batch, `rejected` indices dead-letter
 * those records, and any other error is retried up to `unknownErrorAttempts` times, then thrown.
 *
 *   const h = await SinkTestHarness.open(fileSinkPlugin, { path });
 *   await h.write([{ value: { id: 1 }, time: 10 }]);
 *   const position = await h.checkpoint();
 *   await h.close();
 */
import { APPEND_ONLY, BatchBuilder, decodeManifest, encodeManifest, PermanentSinkError, TransientSinkError } from '../api/index.ts';
import type { Batch, Changelog, CodecName, PluginDefinition, Row, SinkInstance, TaskSlice } from '../api/index.ts';
import { getCodec } from '../runtime/codec/index.ts';
import { createExpressionCompiler } from '../runtime/expr/index.ts';
import { parsePluginConfig } from './config.ts';
import { PluginContext, type PluginContextOptions } from './plugin-context.ts';
import type { TestRecord } from './harness.ts';

/** Any sink plugin, whatever its config and deps types. */
export type SinkPlugin = Extract<PluginDefinition, { kind: 'sink' }>;

export interface SinkHarnessOptions extends PluginContextOptions {
  /** Where to resume: what `checkpoint()` returned; absent is a fresh start. */
  readonly position?: unknown;
  /** The sink's input; default append-only. */
  readonly changelog?: Changelog;
  /** The block's codec; default json. */
  readonly codec?: CodecName;
  readonly task?: TaskSlice;
  /** Transient failures retried per batch before the harness gives up (the engine retries forever); default 20. */
  readonly transientAttempts?: number;
  /** Other errors retried per batch before it fails, as the engine's `unknownErrorAttempts`; default 3. */
  readonly unknownErrorAttempts?: number;
}

/** A record the harness dead-lettered, with why. */
export interface DeadLetteredRecord {
  readonly value: Row;
  readonly error: unknown;
}

export class SinkTestHarness {
  /** Records the sink acknowledged, in write order. */
  readonly written: Row[] = [];
  readonly deadLettered: DeadLetteredRecord[] = [];
  /** The counts the engine reports for a sink. */
  readonly counters = { batches: 0, written: 0, rejected: 0, retries: 0, checkpoints: 0 };
  private checkpointId = 0;

  private constructor(readonly definition: SinkPlugin, readonly instance: SinkInstance, readonly context: PluginContext, private readonly options: SinkHarnessOptions) {}

  /** Creates the sink with `config` as written in a pipeline, and opens it (at `options.position`, if given). */
  static async open(definition: SinkPlugin, config: unknown, options: SinkHarnessOptions = {}): Promise<SinkTestHarness> {
    const h = await SinkTestHarness.create(definition, config, options);
    await h.context.call('sink.open', () => h.instance.open(options.position));
    return h;
  }

  /** Creates the sink without opening it. */
  static async create(definition: SinkPlugin, config: unknown, options: SinkHarnessOptions = {}): Promise<SinkTestHarness> {
    const parsed = parsePluginConfig(definition, config);
    const ctx = new PluginContext(options.id ?? 'sink', options.job ?? 'test', options);
    const instance = await definition.create({
      id: ctx.id, job: ctx.job, config: parsed, deps: ctx.deps(definition.deps), logger: ctx.logger.child({ sink: ctx.id }),
      input: { changelog: options.changelog ?? APPEND_ONLY }, expressions: createExpressionCompiler(), codec: getCodec(options.codec ?? 'json'),
      ...(options.task ? { task: options.task } : {}),
    });
    return new SinkTestHarness(definition, instance, ctx, options);
  }

  /** Writes one batch (records or a ready batch) with the engine's failure rules. */
  async write(records: Batch | readonly TestRecord[]): Promise<void> {
    const batch = toBatch(records);
    this.counters.batches++;
    let transient = 0;
    let unknown = 0;
    for (;;) {
      try {
        const result = await this.context.call('sink.write', () => this.instance.write(batch));
        const rejected = new Map((result?.rejected ?? []).map((r) => [r.index, r.error] as const));
        for (let i = 0; i < batch.length; i++) {
          if (rejected.has(i)) this.deadLettered.push({ value: batch.values[i]!, error: rejected.get(i) });
          else this.written.push(batch.values[i]!);
        }
        this.counters.written += batch.length - rejected.size;
        this.counters.rejected += rejected.size;
        return;
      } catch (error) {
        if (error instanceof PermanentSinkError) {
          for (const value of batch.values) this.deadLettered.push({ value, error });
          this.counters.rejected += batch.length;
          return;
        }
        const transientError = error instanceof TransientSinkError;
        if (transientError ? ++transient >= (this.options.transientAttempts ?? 20) : ++unknown >= (this.options.unknownErrorAttempts ?? 3)) throw error;
        this.counters.retries++;
      }
    }
  }

  /** A checkpoint barrier: `checkpoint()`, stored in a manifest (through the codec), then the completion notice; resolves to the position. */
  async checkpoint(): Promise<unknown> {
    const raw = await this.context.call('sink.checkpoint', () => this.instance.checkpoint?.());
    const id = ++this.checkpointId;
    const manifest = { id, job: this.context.job, createdAt: this.context.clock.now(), generation: 0, chunks: [], sources: {}, sinks: { [this.context.id]: raw }, runtime: {} };
    const position = decodeManifest(encodeManifest(manifest)).sinks[this.context.id];
    this.counters.checkpoints++;
    await this.context.call('sink.onCheckpointComplete', () => this.instance.onCheckpointComplete?.(position, { id, sourceOffsets: [] }));
    return position;
  }

  /** A checkpoint that is declined after the barrier: `checkpoint()`, then `onCheckpointAborted`. */
  async abortCheckpoint(): Promise<void> {
    await this.context.call('sink.checkpoint', () => this.instance.checkpoint?.());
    await this.context.call('sink.onCheckpointAborted', () => this.instance.onCheckpointAborted?.());
  }

  /** End of input: the watermark goes to +∞ (sinks that pass watermarks on). */
  async endOfInput(): Promise<void> {
    await this.context.call('sink.onWatermark', () => this.instance.onWatermark?.(Number.POSITIVE_INFINITY));
  }

  async close(): Promise<void> {
    await this.context.call('sink.close', () => this.instance.close());
  }
}

function toBatch(records: Batch | readonly TestRecord[]): Batch {
  if (!Array.isArray(records)) return records as Batch;
  const b = new BatchBuilder();
  for (const r of records as readonly TestRecord[]) b.push(r.value, r.time, r.kind ?? 'insert', r.provenance);
  return b.take();
}
