/**
 * One HBase-shaped table in SQLite: `row_key TEXT PRIMARY KEY`, one TEXT column per
 * qualifier, and `_version`, the row's cell version (HBase's cell timestamp). The family
 * of each qualifier is recorded in `_sluice_columns`. Writes are applied in one
 * transaction per flush with prepared statements; a missing qualifier column is added, so
 * two sinks may share a table with different qualifiers.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';

// Required when a table opens, not at import: `sluice lint` and the docs import this module
// without writing (better-sqlite3 is CommonJS, so a synchronous require is the same module).
const require = createRequire(import.meta.url);
const openDatabase = (path: string): Database.Database => new (require('better-sqlite3') as typeof Database)(path);

/** `generation · 2^40 + sequence`: versions grow across restores while under 2^53. */
export const GENERATION_STRIDE = 2 ** 40;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A cell as bound to the statement: text, or null for an empty cell. */
export type Cell = string | null;

/**
 * Fills `cells[1..qualifiers]` for one pending entry (the row key is `cells[0]`, the
 * version the last); returns false when the entry deletes its row.
 */
export type FillCells<T> = (entry: T, cells: Cell[]) => boolean;

export class SqliteTable {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly applyAll: (rows: Map<string, unknown>, firstVersion: number, fill: FillCells<unknown>) => number;

  /** `versionSlot`: index of the qualifier that also holds the version as text, −1 for none. */
  constructor(path: string, readonly table: string, readonly family: string, readonly qualifiers: readonly string[], versionSlot = -1) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = openDatabase(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.ensureSchema();
    const t = quote(table);
    const cols = qualifiers.map(quote);
    this.upsert = this.db.prepare(
      `INSERT INTO ${t} (row_key, ${cols.join(', ')}${cols.length ? ', ' : ''}_version) VALUES (?${', ?'.repeat(cols.length)}, ?)
       ON CONFLICT(row_key) DO UPDATE SET ${[...cols.map((c) => `${c} = excluded.${c}`), '_version = excluded._version'].join(', ')}`,
    );
    this.remove = this.db.prepare(`DELETE FROM ${t} WHERE row_key = ?`);
    const cells: (Cell | number)[] = new Array(qualifiers.length + 2);
    this.applyAll = this.db.transaction((rows: Map<string, unknown>, firstVersion: number, fill: FillCells<unknown>) => {
      let version = firstVersion;
      for (const [key, entry] of rows) {
        if (!fill(entry, cells as Cell[])) {
          this.remove.run(key);
          continue;
        }
        cells[0] = key;
        if (versionSlot >= 0) cells[versionSlot + 1] = String(version);
        cells[qualifiers.length + 1] = version++;
        this.upsert.run(cells);
      }
      return version;
    });
  }

  private ensureSchema(): void {
    const t = quote(this.table);
    this.db.exec(`CREATE TABLE IF NOT EXISTS _sluice_columns (table_name TEXT NOT NULL, family TEXT NOT NULL, qualifier TEXT NOT NULL, PRIMARY KEY (table_name, qualifier)) WITHOUT ROWID`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${t} (row_key TEXT PRIMARY KEY NOT NULL, _version INTEGER NOT NULL) WITHOUT ROWID`);
    const have = new Set((this.db.prepare(`SELECT name FROM pragma_table_info(?)`).all(this.table) as { name: string }[]).map((r) => r.name));
    const record = this.db.prepare(`INSERT OR REPLACE INTO _sluice_columns (table_name, family, qualifier) VALUES (?, ?, ?)`);
    for (const q of this.qualifiers) {
      if (!have.has(q)) this.db.exec(`ALTER TABLE ${t} ADD COLUMN ${quote(q)} TEXT`);
      record.run(this.table, this.family, q);
    }
  }

  /** The largest version in the table (0 when empty): a new generation starts above it. */
  maxVersion(): number {
    const r = this.db.prepare(`SELECT max(_version) AS v FROM ${quote(this.table)}`).get() as { v: number | null };
    return r.v ?? 0;
  }

  /**
   * Applies the pending rows (row key → entry) in one transaction with the prepared
   * statements, versions from `firstVersion` up; `fill` turns an entry into its cells.
   * Returns the next version.
   */
  apply<T>(rows: Map<string, T>, firstVersion: number, fill: FillCells<T>): number {
    return this.applyAll(rows, firstVersion, fill as FillCells<unknown>);
  }

  /** Makes every committed transaction durable (WAL fsynced and copied into the database). */
  sync(): void {
    this.db.pragma('wal_checkpoint(FULL)');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
