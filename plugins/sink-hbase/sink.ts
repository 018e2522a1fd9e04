/**
 * The `hbase` sink: applies an upsert (or append) stream to an HBase table by row key.
 *
 * Rows are coalesced in memory by key (the last change wins; `delete` deletes the row) and
 * flushed when `flush_rows` distinct rows are buffered, when `flush_interval` passed, at
 * every checkpoint and at close. Every cell of a row is stamped with the row's version,
 * `generation · 2^40 + sequence` (versions.ts), never event time. A delete is a timestamped
 * delete at the row's version, so a later upsert (a higher version) shows again.
 *
 * A flush hands its rows to the put queue (put-queue.ts): multi-row puts of `put_rows`
 * rows, `max_in_flight` at a time, sent while the sink keeps buffering the next batches.
 * `write` waits (back-pressure) only while more than `flush_rows` rows are unacknowledged;
 * `checkpoint` and `close` wait until every row is acknowledged.
 *
 * A failed put keeps its rows (with their versions) queued. A transient failure throws
 * `TransientSinkError` from the next `write`: the runtime retries the write with back-off
 * and jitter, and while it does the job back-pressures. The retried batch (the same
 * object) is already buffered, so its retry resends what was not acknowledged and waits
 * for it; a put HBase applied before the error is rewritten identically.
 */
import { RecordError, TransientSinkError } from '../../core/api/index.ts';
import type { Batch, Clock, ExpressionCompiler, Row, SinkInstance, SinkWriteResult } from '../../core/api/index.ts';
import type { Counter } from '@opentelemetry/api';
import type { HBaseCell, HBaseClient, HBasePutRow } from '../../lib/hbase-client/client.ts';
import { HBaseError } from '../../lib/hbase-client/client.ts';
import { cellText, compileSource, compileTemplate } from '../../lib/row-template/template.ts';
import type { RowKeyTemplate } from '../../lib/row-template/template.ts';
import type { HBaseSinkConfig } from './spec.ts';
import { PutQueue } from './put-queue.ts';
import type { OutRow } from './put-queue.ts';
import { GENERATION_STRIDE, nextGeneration } from './versions.ts';

/** What `checkpoint()` returns and `open()` restores. */
export interface HBaseSinkPosition {
  readonly generation: number;
  /** Versions used so far in this generation (informational). */
  readonly sequence: number;
}

export interface HBaseSinkOptions {
  readonly config: HBaseSinkConfig;
  readonly client: HBaseClient;
  readonly clock: Clock;
  readonly expressions?: ExpressionCompiler;
  /** `sluice_sink_retries` (attribute `operator`: the sink id), one per failed attempt that will be retried. */
  readonly retries?: Counter;
  readonly id?: string;
}

/** Back-off for the flushes of `checkpoint` and `close`, which cannot be retried by the runtime. */
const FLUSH_RETRY = { initial: 100, max: 10_000 };

export class HBaseSink implements SinkInstance {
  private readonly config: HBaseSinkConfig;
  private readonly client: HBaseClient;
  private readonly clock: Clock;
  private readonly rowKey: RowKeyTemplate;
  private readonly columns: string[];
  private readonly readers: ((row: Row) => unknown)[];
  private readonly versionColumn: string | undefined;
  private readonly scratch: unknown[];
  /** Buffered rows by key: their column values (see `write`), or undefined for a delete. */
  private pending = new Map<string, unknown[] | undefined>();
  private readonly queue: PutQueue;
  private generation = 0;
  private nextVersion = 0;
  private lastFlush: number;
  private opened = false;
  private readonly retryAttributes: { operator: string };
  /** The batch whose flush failed: already in the buffer, so its retry only flushes. */
  private failed: { batch: Batch; rejected: { index: number; error: unknown }[] | undefined } | undefined;

  constructor(private readonly o: HBaseSinkOptions) {
    this.config = o.config;
    this.client = o.client;
    this.clock = o.clock;
    this.rowKey = compileTemplate(this.config.row_key, o.expressions);
    const qualifiers = Object.keys(this.config.columns);
    this.readers = qualifiers.map((q) => compileSource(this.config.columns[q]!, o.expressions));
    this.columns = qualifiers.map((q) => `${this.config.family}:${q}`);
    const vq = this.config.version_qualifier;
    // A version qualifier that is also a mapped column is overwritten by the version, as in the embedded store.
    this.versionColumn = vq ? `${this.config.family}:${vq}` : undefined;
    this.scratch = new Array<unknown>(qualifiers.length);
    this.lastFlush = this.clock.now();
    this.retryAttributes = { operator: o.id ?? this.config.table };
    this.queue = new PutQueue((chunk) => this.sendChunk(chunk), this.config.put_rows, this.config.max_in_flight);
  }

  async open(position: unknown): Promise<void> {
    const { table, family, create_table } = this.config;
    await this.retrying(async () => {
      if (create_table) await this.client.createTable(table, [{ name: family, versions: 1 }]);
      const restored = (position as HBaseSinkPosition | undefined)?.generation ?? 0;
      this.generation = await nextGeneration(this.client, table, restored);
    }, 20);
    this.nextVersion = this.generation * GENERATION_STRIDE;
    this.opened = true;
  }

  async write(batch: Batch): Promise<SinkWriteResult | void> {
    if (!this.opened) throw new Error('hbase sink: write before open');
    const { values, kinds } = batch;
    const n = this.readers.length;
    const retry = batch === this.failed?.batch;
    let rejected = retry ? this.failed!.rejected : undefined;
    this.failed = undefined;
    for (let i = 0; i < (retry ? 0 : batch.length); i++) {
      const row = values[i]!;
      try {
        const key = this.rowKey.render(row);
        if (kinds?.[i] === 'delete') {
          this.pending.set(key, undefined);
          continue;
        }
        // Every column first (a CEL column may throw), then overwrite a buffered row in place.
        // Primitives are kept as they are and turned into cell text only when the row is
        // sent (most buffered rows are overwritten before that); anything else becomes its
        // text now, where a failure can still reject this record.
        const scratch = this.scratch;
        for (let q = 0; q < n; q++) {
          const v = this.readers[q]!(row);
          scratch[q] = v !== null && typeof v === 'object' ? cellText(v) : v;
        }
        const buffered = this.pending.get(key);
        if (buffered) for (let q = 0; q < n; q++) buffered[q] = scratch[q];
        else this.pending.set(key, scratch.slice());
      } catch (error) {
        (rejected ??= []).push({ index: i, error: error instanceof RecordError ? error : new RecordError('store_error', String(error), { cause: error }) });
      }
    }
    const now = this.clock.now();
    try {
      if (this.queue.failed !== undefined) {
        // A put failed in the background: this write fails (its batch stays buffered); its
        // retry resends what was not acknowledged, and waits for it.
        if (!retry) throw this.queue.failed;
        this.queue.resume();
        await this.queue.waitBelow(0);
      }
      if (this.pending.size >= this.config.flush_rows || now - this.lastFlush >= this.config.flush_interval) this.cut(now);
      await this.queue.waitBelow(this.config.flush_rows);
    } catch (error) {
      this.failed = { batch, rejected };
      if (error instanceof HBaseError && error.transient) {
        this.o.retries?.add(1, this.retryAttributes);
        throw new TransientSinkError(`hbase sink ${this.config.table}: ${error.message}`, { cause: error });
      }
      throw error;
    }
    return rejected ? { rejected } : undefined;
  }

  /** Moves the buffered rows, each with the next version, to the put queue. */
  private cut(now: number): void {
    this.lastFlush = now;
    if (this.pending.size === 0) return;
    if (this.nextVersion + this.pending.size > (this.generation + 1) * GENERATION_STRIDE) throw new Error(`hbase ${this.config.table}: 2^40 versions written in one generation`);
    const rows: OutRow[] = [];
    for (const [key, values] of this.pending) rows.push({ key, values, version: this.nextVersion++ });
    this.pending = new Map();
    this.queue.push(rows);
  }

  /** Flushes the buffer and waits until HBase acknowledged every row. */
  private async flush(): Promise<void> {
    this.queue.resume();
    this.cut(this.clock.now());
    await this.queue.waitBelow(0);
  }

  /** One chunk: a multi-row put of its upserts, a delete request per deleted row. */
  private async sendChunk(rows: readonly OutRow[]): Promise<void> {
    const { table, family } = this.config;
    const puts: HBasePutRow[] = [];
    const deletes: OutRow[] = [];
    for (const r of rows) {
      if (r.values) puts.push({ key: r.key, cells: this.cells(r.values, r.version) });
      else deletes.push(r);
    }
    if (puts.length) await this.client.putRows(table, puts);
    // HBase REST has no multi-row delete; deletes are rare (retractions), one request each.
    await Promise.all(deletes.map((d) => this.client.deleteRow(table, d.key, { timestamp: d.version, families: [family] })));
  }

  /** A null column is an empty cell: HBase has no null, and an empty newer version hides an older value (an update that clears it). */
  private cells(values: readonly unknown[], version: number): HBaseCell[] {
    const cells: HBaseCell[] = [];
    for (let q = 0; q < values.length; q++) {
      if (this.columns[q] !== this.versionColumn) cells.push({ column: this.columns[q]!, value: cellText(values[q]) ?? '', timestamp: version });
    }
    if (this.versionColumn) cells.push({ column: this.versionColumn, value: String(version), timestamp: version });
    return cells;
  }

  async checkpoint(): Promise<HBaseSinkPosition> {
    await this.retrying(() => this.flush());
    return { generation: this.generation, sequence: this.nextVersion - this.generation * GENERATION_STRIDE };
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    await this.retrying(() => this.flush(), 5);
    this.opened = false;
  }

  /** Runs `fn`, retrying transient HBase errors with back-off and equal jitter. */
  private async retrying(fn: () => Promise<void>, attempts = Infinity): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!(error instanceof HBaseError && error.transient) || attempt + 1 >= attempts) throw error;
        this.o.retries?.add(1, this.retryAttributes);
        const ceiling = Math.min(FLUSH_RETRY.max, FLUSH_RETRY.initial * 2 ** Math.min(attempt, 20));
        await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)));
      }
    }
  }
}
