/**
 * An in-memory `HBaseClient` with HBase's visible semantics, for unit tests: one version
 * per column (the newest timestamp wins, an older put stays hidden), timestamped deletes
 * that hide cells up to their timestamp, checked puts, key-ordered scans. `failNext(n)`
 * makes the next n calls fail with a transient error; `hold()` keeps `putRows` calls
 * unanswered (and unapplied) until its release is called; `calls` counts calls by method.
 */
import { HBaseError } from './client.ts';
import type { HBaseCell, HBaseCheck, HBaseClient, HBaseFamily, HBasePutRow, HBaseReadCell, HBaseRow, ScanOptions } from './client.ts';

interface StoredCell {
  value: Buffer;
  timestamp: number;
}

interface StoredRow {
  cells: Map<string, StoredCell>;
  /** Cells at or below this timestamp are deleted (per family). */
  deletedUpTo: Map<string, number>;
}

const bytes = (v: string | Uint8Array): Buffer => (typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v));
const familyOf = (column: string): string => column.slice(0, column.indexOf(':'));

export class FakeHBaseClient implements HBaseClient {
  readonly tables = new Map<string, { families: Set<string>; rows: Map<string, StoredRow> }>();
  readonly calls: Record<string, number> = {};
  /** Rows per `putRows` call, in order. */
  readonly putSizes: number[] = [];
  private failures = 0;
  private now = 1_000;
  private gate: Promise<void> | undefined;

  /** Puts from now on wait (unapplied) until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.gate = gate;
    return () => {
      if (this.gate === gate) this.gate = undefined;
      release();
    };
  }

  /** Puts called and not answered yet (while held). */
  heldPuts = 0;

  failNext(n: number): void {
    this.failures = n;
  }

  private enter(method: string): void {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    if (this.failures > 0) {
      this.failures--;
      throw new HBaseError(`hbase ${method}: ECONNREFUSED (fake)`, true);
    }
  }

  private table(name: string) {
    const t = this.tables.get(name);
    if (!t) throw new HBaseError(`hbase: HTTP 404: table ${name} not found (fake)`, false, 404);
    return t;
  }

  describe(): string {
    return 'fake://hbase';
  }

  async version(): Promise<{ rest: string; cluster: string }> {
    this.enter('version');
    return { rest: 'fake', cluster: 'fake' };
  }

  async createTable(name: string, families: readonly HBaseFamily[]): Promise<boolean> {
    this.enter('createTable');
    if (this.tables.has(name)) return false;
    this.tables.set(name, { families: new Set(families.map((f) => f.name)), rows: new Map() });
    return true;
  }

  async deleteTable(name: string): Promise<void> {
    this.enter('deleteTable');
    this.tables.delete(name);
    return;
  }

  private write(name: string, key: string, cells: readonly HBaseCell[]): void {
    const t = this.table(name);
    let row = t.rows.get(key);
    if (!row) t.rows.set(key, (row = { cells: new Map(), deletedUpTo: new Map() }));
    for (const c of cells) {
      if (!t.families.has(familyOf(c.column))) throw new HBaseError(`hbase: HTTP 404: no family in ${c.column} (fake)`, false, 404);
      const timestamp = c.timestamp ?? ++this.now;
      const old = row.cells.get(c.column);
      if (old && old.timestamp > timestamp) continue; // HBase keeps the newest version
      row.cells.set(c.column, { value: bytes(c.value), timestamp });
    }
  }

  async putRows(table: string, rows: readonly HBasePutRow[]): Promise<void> {
    this.enter('putRows');
    this.table(table);
    this.putSizes.push(rows.length);
    if (this.gate) {
      this.heldPuts++;
      await this.gate;
      this.heldPuts--;
    }
    for (const r of rows) this.write(table, r.key, r.cells);
    return;
  }

  private visible(row: StoredRow | undefined, key: string, options: ScanOptions = {}): HBaseRow | undefined {
    if (!row) return undefined;
    const cells: HBaseReadCell[] = [];
    for (const [column, c] of [...row.cells].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const family = familyOf(column);
      if (c.timestamp <= (row.deletedUpTo.get(family) ?? -1)) continue;
      if (options.columns && !options.columns.some((x) => x === family || x === column)) continue;
      if (options.minTimestamp !== undefined && c.timestamp < options.minTimestamp) continue;
      cells.push({ column, value: options.keysOnly ? Buffer.alloc(0) : c.value, timestamp: c.timestamp });
    }
    return cells.length ? { key, cells } : undefined;
  }

  async getRow(table: string, key: string): Promise<HBaseRow | undefined> {
    this.enter('getRow');
    return this.visible(this.table(table).rows.get(key), key);
  }

  async scan(table: string, options: ScanOptions = {}): Promise<HBaseRow[]> {
    this.enter('scan');
    const out: HBaseRow[] = [];
    for (const key of [...this.table(table).rows.keys()].sort()) {
      if (options.prefix !== undefined && !key.startsWith(options.prefix)) continue;
      if (options.start !== undefined && key < options.start) continue;
      if (options.end !== undefined && key >= options.end) continue;
      const row = this.visible(this.table(table).rows.get(key), key, options);
      if (row) out.push(row);
      if (out.length >= (options.limit ?? Infinity)) break;
    }
    return out;
  }

  async deleteRow(table: string, key: string, options: { timestamp?: number; families?: readonly string[] } = {}): Promise<void> {
    this.enter('deleteRow');
    const t = this.table(table);
    const row = t.rows.get(key);
    if (!row) return;
    for (const family of options.families ?? t.families) {
      const upTo = options.timestamp ?? Number.MAX_SAFE_INTEGER;
      row.deletedUpTo.set(family, Math.max(upTo, row.deletedUpTo.get(family) ?? -1));
    }
    return;
  }

  async checkAndPut(table: string, key: string, cells: readonly HBaseCell[], check: HBaseCheck): Promise<boolean> {
    this.enter('checkAndPut');
    if (!cells.some((c) => c.column === check.column)) throw new HBaseError('hbase: HTTP 400: the column to put and check do not match (fake)', false, 400);
    const current = this.visible(this.table(table).rows.get(key), key)?.cells.find((c) => c.column === check.column);
    const holds = check.value === undefined ? current === undefined : current !== undefined && current.value.equals(bytes(check.value));
    if (holds) this.write(table, key, cells);
    return holds;
  }
}
