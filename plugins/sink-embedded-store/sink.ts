/**
 * The `embedded_store` sink: applies an upsert (or append) stream to an HBase-shaped
 * SQLite table by row key. Rows are coalesced in memory by key (the last change wins, as
 * it would in HBase) and applied in one transaction per flush: when `flush_rows` distinct
 * rows are buffered, when `flush_interval` passed, at every checkpoint and at close.
 *
 * Per record the sink renders the row key and keeps the record itself as the key's pending
 * entry (the record is not copied; plugins do not mutate records they emitted). Cells are
 * read and turned into text at the flush, once per distinct row, not once per update. A
 * CEL column is evaluated when the record arrives (it may fail and reject the record), and
 * its value kept with the entry.
 *
 * Versions only grow per row: `generation · 2^40 + sequence`, where the generation is one
 * more than both the checkpointed one and the largest in the table (so a restart without
 * a checkpoint still writes above whatever an earlier attempt left), and the sequence
 * grows with every row written. Guarantee: effectively once — after a restore the source
 * replays from the checkpoint and the same rows are rewritten (with newer versions).
 */
import { RecordError } from '../../core/api/index.ts';
import type { Batch, Clock, ExpressionCompiler, Row, SinkInstance, SinkWriteResult } from '../../core/api/index.ts';
import { GENERATION_STRIDE, SqliteTable } from './table.ts';
import type { Cell } from './table.ts';
import { cellText, compilePathsReader, compileSource, compileTemplate, isFieldPath } from '../../lib/row-template/template.ts';
import type { EmbeddedStoreConfig } from './spec.ts';

/** What `checkpoint()` returns and `open()` restores. */
export interface EmbeddedStorePosition {
  readonly generation: number;
}

/** A pending delete of the row. */
const DELETE: unique symbol = Symbol('delete');

/**
 * What a row key waits with until the flush: the latest record (every column a field path),
 * the values of the latest record's columns (some column is CEL), or a delete.
 */
type Pending = Row | unknown[] | typeof DELETE;

/** Cell text that rejects the record at write time rather than failing the flush. */
function checkedCell(v: unknown): void {
  if (typeof v === 'object' && v !== null) cellText(v); // JSON.stringify may throw (a cycle, a BigInt)
}

export class EmbeddedStoreSink implements SinkInstance {
  private table: SqliteTable | undefined;
  private readonly qualifiers: string[];
  private readonly readers: ((row: Row) => unknown)[];
  private readonly rowKey;
  private pending = new Map<string, Pending>();
  /** Every column is a field path: pending entries are the records themselves, read by this. */
  private readonly readPaths: ((row: Row, out: unknown[]) => void) | undefined;
  private readonly scratch: unknown[];
  private generation = 0;
  private nextVersion = 0;
  private lastFlush: number;

  constructor(private readonly config: EmbeddedStoreConfig, expressions: ExpressionCompiler | undefined, private readonly clock: Clock) {
    this.rowKey = compileTemplate(config.row_key, expressions);
    this.qualifiers = Object.keys(config.columns);
    this.readers = this.qualifiers.map((q) => compileSource(config.columns[q]!, expressions));
    if (config.version_qualifier && !this.qualifiers.includes(config.version_qualifier)) this.qualifiers.push(config.version_qualifier);
    const sources = Object.values(config.columns);
    this.readPaths = sources.every(isFieldPath) ? compilePathsReader(sources) : undefined;
    this.scratch = new Array<unknown>(this.readers.length);
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
    const readers = this.readers;
    const n = readers.length;
    const pending = this.pending;
    const readPaths = this.readPaths;
    const scratch = this.scratch;
    let rejected: { index: number; error: unknown }[] | undefined;
    for (let i = 0; i < batch.length; i++) {
      const row = values[i]!;
      try {
        const key = this.rowKey.render(row);
        if (kinds !== undefined && kinds[i] === 'delete') {
          pending.set(key, DELETE);
          continue;
        }
        if (readPaths) {
          readPaths(row, scratch);
          for (let q = 0; q < n; q++) checkedCell(scratch[q]);
          pending.set(key, row);
          continue;
        }
        // Read every cell first (a CEL column may throw), then overwrite a buffered key in
        // place: no new array per update of the same key.
        for (let q = 0; q < n; q++) checkedCell((scratch[q] = readers[q]!(row)));
        const buffered = pending.get(key);
        if (Array.isArray(buffered)) for (let q = 0; q < n; q++) buffered[q] = scratch[q];
        else pending.set(key, scratch.slice());
      } catch (error) {
        (rejected ??= []).push({ index: i, error: error instanceof RecordError ? error : new RecordError('store_error', String(error), { cause: error }) });
      }
    }
    const now = this.clock.now();
    if (pending.size >= this.config.flush_rows || now - this.lastFlush >= this.config.flush_interval) this.flush(now);
    return Promise.resolve(rejected ? { rejected } : undefined);
  }

  /** The cells of one pending entry, in qualifier order; false for a delete. */
  private readonly fill = (entry: Pending, cells: Cell[]): boolean => {
    if (entry === DELETE) return false;
    const n = this.readers.length;
    let values = entry as unknown[];
    if (this.readPaths) this.readPaths(entry as Row, (values = this.scratch));
    for (let q = 0; q < n; q++) cells[q + 1] = cellText(values[q]) ?? null;
    return true;
  };

  private flush(now = this.clock.now()): void {
    this.lastFlush = now;
    if (this.pending.size === 0) return;
    const rows = this.pending;
    this.pending = new Map();
    this.nextVersion = this.requireTable().apply(rows, this.nextVersion, this.fill);
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
