/** Frozen copy of plugins/sink-embedded-store/sink.ts before issue 9 (same-run baseline for bench/sinks.ts). */
/**
 * The `embedded_store` sink: applies an upsert (or append) stream to an HBase-shaped
 * SQLite table by row key. Rows are coalesced in memory by key (the last change wins, as
 * it would in HBase) and applied in one transaction per flush: when `flush_rows` distinct
 * rows are buffered, when `flush_interval` passed, at every checkpoint and at close.
 *
 * Versions only grow per row: `generation · 2^40 + sequence`, where the generation is one
 * more than both the checkpointed one and the largest in the table (so a restart without
 * a checkpoint still writes above whatever an earlier attempt left), and the sequence
 * grows with every row written. Guarantee: effectively once — after a restore the source
 * replays from the checkpoint and the same rows are rewritten (with newer versions).
 */
import { RecordError } from '../../core/api/index.ts';
import type { Batch, Clock, ExpressionCompiler, Row, SinkInstance, SinkWriteResult } from '../../core/api/index.ts';
import { GENERATION_STRIDE, SqliteTable } from './store-table-v0.ts';
import type { PendingRow } from './store-table-v0.ts';
import { cellText, compileSource, compileTemplate } from './row-template-v0.ts';
import type { EmbeddedStoreConfig } from '../../plugins/sink-embedded-store/spec.ts';

/** What `checkpoint()` returns and `open()` restores. */
export interface EmbeddedStorePosition {
  readonly generation: number;
}

export class EmbeddedStoreSinkV0 implements SinkInstance {
  private table: SqliteTable | undefined;
  private readonly qualifiers: string[];
  private readonly readers: ((row: Row) => unknown)[];
  private readonly rowKey;
  private pending = new Map<string, PendingRow>();
  private readonly scratch: (string | undefined)[];
  private generation = 0;
  private nextVersion = 0;
  private lastFlush: number;

  constructor(private readonly config: EmbeddedStoreConfig, expressions: ExpressionCompiler | undefined, private readonly clock: Clock) {
    this.rowKey = compileTemplate(config.row_key, expressions);
    this.qualifiers = Object.keys(config.columns);
    this.readers = this.qualifiers.map((q) => compileSource(config.columns[q]!, expressions));
    if (config.version_qualifier && !this.qualifiers.includes(config.version_qualifier)) this.qualifiers.push(config.version_qualifier);
    this.scratch = new Array<string | undefined>(this.qualifiers.length);
    this.lastFlush = clock.now();
  }

  open(position: unknown): Promise<void> {
    const { path, table, family, version_qualifier } = this.config;
    const versionSlot = version_qualifier && !(version_qualifier in this.config.columns) ? this.qualifiers.indexOf(version_qualifier) : -1;
    this.table = new SqliteTable(path, table, family, this.qualifiers, versionSlot);
    const restored = (position as EmbeddedStorePosition | undefined)?.generation ?? 0;
    this.generation = Math.max(restored, Math.floor(this.table.maxVersion() / GENERATION_STRIDE)) + 1;
    if (!Number.isSafeInteger((this.generation + 1) * GENERATION_STRIDE)) throw new Error(`embedded_store ${table}: version generation ${this.generation} exhausted`);
    this.nextVersion = this.generation * GENERATION_STRIDE;
    return Promise.resolve();
  }

  write(batch: Batch): Promise<SinkWriteResult | void> {
    const { values, kinds } = batch;
    const n = this.readers.length;
    let rejected: { index: number; error: unknown }[] | undefined;
    for (let i = 0; i < batch.length; i++) {
      const row = values[i]!;
      try {
        const key = this.rowKey.render(row);
        if (kinds?.[i] === 'delete') {
          this.pending.set(key, { values: undefined });
          continue;
        }
        // Read every cell first (a CEL column may throw), then overwrite a buffered key in
        // place: no new row object per update of the same key.
        const scratch = this.scratch;
        for (let q = 0; q < n; q++) scratch[q] = cellText(this.readers[q]!(row));
        const buffered = this.pending.get(key);
        if (buffered?.values) for (let q = 0; q < n; q++) buffered.values[q] = scratch[q];
        else this.pending.set(key, { values: scratch.slice() });
      } catch (error) {
        (rejected ??= []).push({ index: i, error: error instanceof RecordError ? error : new RecordError('store_error', String(error), { cause: error }) });
      }
    }
    const now = this.clock.now();
    if (this.pending.size >= this.config.flush_rows || now - this.lastFlush >= this.config.flush_interval) this.flush(now);
    return Promise.resolve(rejected ? { rejected } : undefined);
  }

  private flush(now = this.clock.now()): void {
    this.lastFlush = now;
    if (this.pending.size === 0) return;
    const rows = this.pending;
    this.pending = new Map();
    this.nextVersion = this.requireTable().apply(rows, this.nextVersion);
    if (this.nextVersion >= (this.generation + 1) * GENERATION_STRIDE) throw new Error(`embedded_store ${this.config.table}: 2^40 versions written in one generation`);
  }

  checkpoint(): Promise<EmbeddedStorePosition> {
    this.flush();
    this.requireTable().sync();
    return Promise.resolve({ generation: this.generation });
  }

  close(): Promise<void> {
    if (this.table) {
      this.flush();
      this.table.close();
      this.table = undefined;
    }
    return Promise.resolve();
  }

  private requireTable(): SqliteTable {
    if (!this.table) throw new Error('embedded_store: write before open');
    return this.table;
  }
}
