/**
 * The HBase client as the HBase plugins see it: a small, typed, promise-based interface
 * over HBase's REST server, so the `hbase` sink and checkpoint store do not depend on the
 * REST library (`hbase` 0.6.1, callbacks, no types). `createRestClient` (rest-client.ts)
 * implements it; unit tests use `FakeHBaseClient` (fake-client.ts).
 *
 * Keys, columns and text values are UTF-8; a value may also be bytes. Columns are
 * `family:qualifier`. Every method rejects with an `HBaseError` whose `transient` says
 * whether retrying may help (connection refused or reset, a timeout, a 5xx) or not (a 4xx).
 */

export interface HBaseCell {
  /** `family:qualifier`. */
  readonly column: string;
  readonly value: string | Uint8Array;
  /** Cell timestamp (the cell's version); the server's clock when absent. */
  readonly timestamp?: number;
}

export interface HBasePutRow {
  readonly key: string;
  readonly cells: readonly HBaseCell[];
}

export interface HBaseReadCell {
  readonly column: string;
  readonly value: Buffer;
  readonly timestamp: number;
}

/** A row as read back: its newest visible cell per column, columns in HBase's order. */
export interface HBaseRow {
  readonly key: string;
  readonly cells: readonly HBaseReadCell[];
}

export interface ScanOptions {
  /** Only rows whose key starts with this. */
  readonly prefix?: string;
  /** First row key, inclusive. */
  readonly start?: string;
  /** Last row key, exclusive. */
  readonly end?: string;
  /** Only these families (`m`) or columns (`m:json`). */
  readonly columns?: readonly string[];
  /** Only cells whose timestamp is at least this. */
  readonly minTimestamp?: number;
  /** Values left out (empty): keys, columns and timestamps only. */
  readonly keysOnly?: boolean;
  /** Stop after this many rows. */
  readonly limit?: number;
  /** Cells per round trip (REST scanner batch); small for large cells. */
  readonly batch?: number;
}

/** The condition of a checked put: the column holds `value`, or does not exist when `value` is undefined. */
export interface HBaseCheck {
  readonly column: string;
  readonly value?: string | Uint8Array;
}

export interface HBaseFamily {
  readonly name: string;
  /** Versions kept per cell; default 1 (result tables keep only the newest). */
  readonly versions?: number;
}

export interface HBaseClient {
  /** REST server and cluster versions: a health check. */
  version(): Promise<{ readonly rest: string; readonly cluster: string }>;
  /**
   * Creates the table with these families unless it exists; true when this call created
   * it. Retries 500/503 (the master still initialising) for up to `createTimeoutMs`.
   */
  createTable(name: string, families: readonly HBaseFamily[]): Promise<boolean>;
  /** Disables and drops the table (tests and tools); a missing table is not an error. */
  deleteTable(name: string): Promise<void>;
  /** Writes all rows in one multi-row request. */
  putRows(table: string, rows: readonly HBasePutRow[]): Promise<void>;
  /** The row, or undefined when it has no visible cell. */
  getRow(table: string, key: string): Promise<HBaseRow | undefined>;
  /** Rows in key order. */
  scan(table: string, options?: ScanOptions): Promise<HBaseRow[]>;
  /**
   * Deletes the row's cells (of `families`, all of them when omitted) with a timestamp up
   * to `timestamp` (all when omitted): a later put with a higher timestamp is visible again.
   */
  deleteRow(table: string, key: string, options?: { readonly timestamp?: number; readonly families?: readonly string[] }): Promise<void>;
  /**
   * Puts `cells` into row `key` atomically if `check` holds; false when it did not (nothing
   * written). The check column must be one of the cells (HBase REST's rule).
   */
  checkAndPut(table: string, key: string, cells: readonly HBaseCell[], check: HBaseCheck): Promise<boolean>;
  /** Where it connects, for logs: `http://127.0.0.1:8080`. */
  describe(): string;
}

/** A failed HBase call. `transient`: retrying may succeed. */
export class HBaseError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    /** HTTP status when the server answered; undefined for a network error. */
    readonly status?: number,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'HBaseError';
  }
}

/** Upper bound for a prefix scan: the prefix with its last character incremented. */
export function prefixEnd(prefix: string): string | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return undefined;
}
