/**
 * `SourceTestHarness`: drives one source plugin the way the engine does, without the
 * engine: `create` with a parsed config and the plugin's services (plugin-context.ts),
 * `open(position)`, `poll` batches, `position()` taken at a checkpoint and stored in a
 * manifest (so it goes through the manifest codec, as in a real checkpoint), the
 * checkpoint-complete notification, and `close`.
 *
 *   const h = await SourceTestHarness.open(generatorPlugin, { count: 10, fields: { n: { sequence: {} } } });
 *   const first = await h.read(4);
 *   const position = await h.checkpoint();
 *   await h.close();
 *   const resumed = await SourceTestHarness.open(generatorPlugin, config, { position });
 *   const rest = await resumed.readAll();   // records 4 to 9
 *
 * Payloads are decoded with the block's codec (json by default); those that do not decode
 * are kept apart (`undecodable`), as the runtime dead-letters them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeManifest, encodeManifest } from '../api/index.ts';
import type { CodecName, PluginDefinition, Row, SourceChunk, SourceInstance, TaskSlice } from '../api/index.ts';
import { getCodec } from '../runtime/codec/index.ts';
import { parsePluginConfig } from './config.ts';
import { PluginContext, type PluginContextOptions } from './plugin-context.ts';

/** Any source plugin, whatever its config and deps types. */
export type SourcePlugin = Extract<PluginDefinition, { kind: 'source' }>;

export interface SourceHarnessOptions extends PluginContextOptions {
  /** Where to resume: what `checkpoint()` returned; absent is a fresh start. */
  readonly position?: unknown;
  /** The block's codec for payloads; default json. */
  readonly codec?: CodecName;
  readonly task?: TaskSlice;
  readonly resetState?: boolean;
}

/** One record the source returned, decoded. */
export interface SourceRecord {
  readonly value: Row;
  readonly partition: string | number;
  /** Named output; absent for the main one. */
  readonly output?: string;
  readonly time?: number;
  readonly offset?: string | number;
  readonly line?: number;
}

export interface ReadOptions {
  /** Polls that return no records before giving up (the source is not at its end); default 200. */
  readonly maxIdlePolls?: number;
  /** Records asked for per poll; default 1000. */
  readonly batchSize?: number;
  /** Processing time the clock moves on after an idle poll (rate-limited sources); default 100 ms. */
  readonly idleAdvanceMs?: number;
}

export class SourceTestHarness {
  /** Every record read so far, in poll order. */
  readonly records: SourceRecord[] = [];
  /** Payloads that did not decode: `{ partition, payload }`. */
  readonly undecodable: { readonly partition: string | number; readonly payload: string }[] = [];
  /** `poll` returned null: end of input. */
  ended = false;
  /** Polls made, and the counts the engine would report for this block. */
  readonly counters = { polls: 0, records: 0, checkpoints: 0 };
  private closed = false;

  private constructor(readonly definition: SourcePlugin, readonly instance: SourceInstance, readonly context: PluginContext, private readonly codec: CodecName) {}

  /** Creates the source with `config` as written in a pipeline, and opens it (at `options.position`, if given). */
  static async open(definition: SourcePlugin, config: unknown, options: SourceHarnessOptions = {}): Promise<SourceTestHarness> {
    const h = await SourceTestHarness.create(definition, config, options);
    await h.context.call('source.open', () => h.instance.open(options.position));
    return h;
  }

  /** Creates the source without opening it (to test `open` itself; call `instance.open` yourself). */
  static async create(definition: SourcePlugin, config: unknown, options: SourceHarnessOptions = {}): Promise<SourceTestHarness> {
    const parsed = parsePluginConfig(definition, config);
    const ctx = new PluginContext(options.id ?? 'source', options.job ?? 'test', options);
    const instance = await definition.create({
      id: ctx.id, job: ctx.job, config: parsed, deps: ctx.deps(definition.deps), logger: ctx.logger.child({ source: ctx.id }),
      ...(options.resetState !== undefined ? { resetState: options.resetState } : {}),
      ...(options.task ? { task: options.task } : {}),
    });
    return new SourceTestHarness(definition, instance, ctx, options.codec ?? 'json');
  }

  /** One poll of at most `maxRecords`; resolves to the records it returned, or null at end of input. */
  async poll(maxRecords = 1000): Promise<SourceRecord[] | null> {
    if (this.ended) return null;
    this.counters.polls++;
    const chunks = await this.context.call('source.poll', () => this.instance.poll(maxRecords));
    if (chunks === null) {
      this.ended = true;
      return null;
    }
    const out: SourceRecord[] = [];
    for (const chunk of chunks) this.admit(chunk, out);
    this.records.push(...out);
    this.counters.records += out.length;
    return out;
  }

  /** Polls until at least `count` more records were read (or end of input); resolves to them. */
  async read(count: number, options: ReadOptions = {}): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    let idle = 0;
    while (out.length < count && !this.ended) {
      const got = await this.poll(Math.min(options.batchSize ?? 1000, count - out.length));
      if (got === null) break;
      out.push(...got);
      if (got.length) idle = 0;
      else if (++idle >= (options.maxIdlePolls ?? 200)) break;
      else await this.idle(options);
    }
    return out;
  }

  /** Polls until end of input; throws when the source stays idle for `maxIdlePolls` polls. */
  async readAll(options: ReadOptions = {}): Promise<SourceRecord[]> {
    const out = await this.read(Number.POSITIVE_INFINITY, options);
    if (!this.ended) throw new Error(`readAll: source '${this.definition.name}' returned no records for ${options.maxIdlePolls ?? 200} polls and did not end`);
    return out;
  }

  /** The position as the engine stores it in a checkpoint manifest (through the manifest codec). */
  storedPosition(): unknown {
    const position = this.instance.position();
    const manifest = { id: 0, job: this.context.job, createdAt: 0, generation: 0, chunks: [], sources: { [this.context.id]: position }, sinks: {}, runtime: {} };
    return decodeManifest(encodeManifest(manifest)).sources[this.context.id];
  }

  /** A checkpoint: takes the stored position, then tells the source it completed; resolves to the position. */
  async checkpoint(): Promise<unknown> {
    const position = this.storedPosition();
    this.counters.checkpoints++;
    await this.context.call('source.onCheckpointComplete', () => this.instance.onCheckpointComplete?.(position));
    return position;
  }

  async close(): Promise<void> {
    await this.context.call('source.close', () => this.instance.close());
    this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private admit(chunk: SourceChunk, out: SourceRecord[]): void {
    let rows: readonly (Row | undefined)[] = chunk.values ?? [];
    if (chunk.payloads) {
      const decoded = getCodec(this.codec).decode(chunk.payloads);
      rows = decoded.rows;
      for (const f of decoded.failures) this.undecodable.push({ partition: chunk.partition, payload: f.payload });
    }
    rows.forEach((value, i) => {
      if (value === undefined) return;
      const time = chunk.times?.[i];
      const offset = chunk.offsets?.[i];
      const line = chunk.lines?.[i];
      out.push({
        value, partition: chunk.partition,
        ...(chunk.output !== undefined ? { output: chunk.output } : {}),
        ...(time !== undefined ? { time } : {}), ...(offset !== undefined ? { offset } : {}), ...(line !== undefined ? { line } : {}),
      });
    });
  }

  private async idle(options: ReadOptions): Promise<void> {
    this.context.clock.advance(options.idleAdvanceMs ?? 100);
    await sleep(1);
  }
}
