/**
 * `HBaseClient` over HBase's REST server with the `hbase` npm package (JSON, keep-alive
 * through Node's global agent). The library runs with `encoding: 'base64'`, so it passes
 * keys, columns and values through untouched and this file does the base64 itself: byte
 * values (checkpoint chunks) round-trip exactly. Multi-row puts, table creation and scans
 * use the library's calls; a checked put (`PUT /<table>/<row>?check=put`, the last cell
 * being the check), a timestamped delete and a single-row get use its connection, since
 * the library has no call for them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { HBaseError, prefixEnd } from './client.ts';
import type { HBaseCell, HBaseCheck, HBaseClient, HBaseFamily, HBasePutRow, HBaseReadCell, HBaseRow, ScanOptions } from './client.ts';
import { classify } from './errors.ts';
import { createLibClient } from './hbase-lib.ts';
import type { Callback, LibCell, LibClient, LibScanOptions } from './hbase-lib.ts';

export interface RestClientOptions {
  readonly host: string;
  readonly port: number;
  readonly protocol: 'http' | 'https';
  /** Per-request timeout, ms (default 30 s). */
  readonly timeoutMs?: number;
  /** How long `createTable` retries while the master initialises (default 120 s). */
  readonly createTimeoutMs?: number;
}

const b64 = (v: string | Uint8Array): string => (typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v.buffer, v.byteOffset, v.byteLength)).toString('base64');
const text = (v: string): string => Buffer.from(v, 'base64').toString('utf8');
const path = (table: string, key?: string): string => `/${encodeURIComponent(table)}${key === undefined ? '' : `/${encodeURIComponent(key)}`}`;

interface CellSet {
  Row?: { key: string; Cell?: LibCell[] }[];
}

function call<T>(what: string, run: (callback: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      run((error, data) => (error ? reject(classify(error, what)) : resolve(data)));
    } catch (error) {
      reject(classify(error, what));
    }
  });
}

function readRows(set: CellSet | null | undefined): HBaseRow[] {
  const rows: HBaseRow[] = [];
  for (const r of set?.Row ?? []) {
    const cells: HBaseReadCell[] = (r.Cell ?? []).map((c) => ({ column: text(c.column), value: Buffer.from(c.$, 'base64'), timestamp: Number(c.timestamp) }));
    if (cells.length) rows.push({ key: text(r.key), cells });
  }
  return rows;
}

export function createRestClient(options: RestClientOptions): HBaseClient {
  return new RestHBaseClient(options);
}

export class RestHBaseClient implements HBaseClient {
  private readonly lib: LibClient;

  constructor(private readonly options: RestClientOptions) {
    this.lib = createLibClient({ host: options.host, port: options.port, protocol: options.protocol, encoding: 'base64', timeout: options.timeoutMs ?? 30_000 });
  }

  describe(): string {
    return `${this.options.protocol}://${this.options.host}:${this.options.port}`;
  }

  async version(): Promise<{ rest: string; cluster: string }> {
    const rest = await call<{ REST?: string } | null>('version', (cb) => this.lib.version(cb));
    const cluster = await call<string | { Version?: string } | null>('version/cluster', (cb) => this.lib.version_cluster(cb));
    return { rest: rest?.REST ?? '', cluster: typeof cluster === 'string' ? cluster : (cluster?.Version ?? '') };
  }

  private exists(name: string): Promise<boolean> {
    return call<boolean>(`exists ${name}`, (cb) => this.lib.table(name).exists(cb));
  }

  async createTable(name: string, families: readonly HBaseFamily[]): Promise<boolean> {
    const deadline = Date.now() + (this.options.createTimeoutMs ?? 120_000);
    const schema = { ColumnSchema: families.map((f) => ({ name: f.name, VERSIONS: String(f.versions ?? 1) })) };
    for (let attempt = 0; ; attempt++) {
      try {
        if (await this.exists(name)) return false;
        await call(`create table ${name}`, (cb) => this.lib.table(name).create(schema, cb));
        return true;
      } catch (error) {
        const e = error as HBaseError;
        // Another writer created it meanwhile (the REST server answers TableExists, or 304 when the creations raced): fine.
        if ((/TableExists/.test(e.message) || e.status === 304) && (await this.exists(name).catch(() => false))) return false;
        if (!e.transient || Date.now() >= deadline) throw e;
        await sleep(Math.min(5_000, 200 * 2 ** attempt));
      }
    }
  }

  async deleteTable(name: string): Promise<void> {
    if (!(await this.exists(name))) return;
    await call(`delete table ${name}`, (cb) => this.lib.table(name).delete(cb));
  }

  putRows(table: string, rows: readonly HBasePutRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    const cells: LibCell[] = [];
    for (const row of rows) {
      const key = b64(row.key);
      for (const c of row.cells) cells.push(c.timestamp === undefined ? { key, column: b64(c.column), $: b64(c.value) } : { key, column: b64(c.column), timestamp: c.timestamp, $: b64(c.value) });
    }
    return call<unknown>(`put ${rows.length} rows into ${table}`, (cb) => this.lib.table(table).row(null).put(cells, cb)).then(() => undefined);
  }

  async getRow(table: string, key: string): Promise<HBaseRow | undefined> {
    try {
      const set = await call<CellSet | null>(`get ${table}/${key}`, (cb) => this.lib.connection.get(path(table, key), cb as Callback<unknown>));
      return readRows(set)[0];
    } catch (error) {
      if ((error as HBaseError).status === 404) return undefined;
      throw error;
    }
  }

  scan(table: string, options: ScanOptions = {}): Promise<HBaseRow[]> {
    const params: LibScanOptions = { batch: options.batch ?? (options.keysOnly ? 10_000 : 1_000) };
    const start = options.start ?? options.prefix;
    const end = options.end ?? (options.prefix ? prefixEnd(options.prefix) : undefined);
    if (start) params.startRow = b64(start);
    if (end) params.endRow = b64(end);
    if (options.columns?.length) params.column = options.columns.map(b64);
    if (options.minTimestamp !== undefined) params.startTime = options.minTimestamp;
    const filters: unknown[] = [];
    if (options.keysOnly) filters.push({ type: 'KeyOnlyFilter' });
    if (options.limit !== undefined) filters.push({ type: 'PageFilter', value: String(options.limit) });
    if (filters.length) params.filter = filters.length === 1 ? filters[0] : { type: 'FilterList', op: 'MUST_PASS_ALL', filters };
    const limit = options.limit ?? Infinity;
    return new Promise<HBaseRow[]>((resolve, reject) => {
      const rows: { key: string; cells: HBaseReadCell[] }[] = [];
      let lastKey: string | undefined;
      let scanner;
      try {
        scanner = this.lib.table(table).scan(params);
      } catch (error) {
        reject(classify(error, `scan ${table}`));
        return;
      }
      scanner.on('readable', () => {
        for (let cell = scanner.read(); cell; cell = scanner.read()) {
          if (cell.key !== lastKey) {
            lastKey = cell.key;
            rows.push({ key: text(cell.key!), cells: [] });
          }
          rows[rows.length - 1]!.cells.push({ column: text(cell.column), value: Buffer.from(cell.$, 'base64'), timestamp: Number(cell.timestamp) });
        }
      });
      scanner.on('error', (error) => reject(classify(error, `scan ${table}`)));
      scanner.on('end', () => resolve(rows.length > limit ? rows.slice(0, limit) : rows));
    });
  }

  async deleteRow(table: string, key: string, options: { timestamp?: number; families?: readonly string[] } = {}): Promise<void> {
    let url = path(table, key);
    if (options.timestamp !== undefined) {
      if (!options.families?.length) throw new HBaseError(`hbase delete ${table}/${key}: a timestamped delete needs its families`, false);
      url += `/${options.families.map(encodeURIComponent).join(',')}/${options.timestamp}`;
    } else if (options.families?.length) url += `/${options.families.map(encodeURIComponent).join(',')}`;
    try {
      await call<unknown>(`delete ${table}/${key}`, (cb) => this.lib.connection.delete(url, cb));
    } catch (error) {
      if ((error as HBaseError).status !== 404) throw error;
    }
  }

  async checkAndPut(table: string, key: string, cells: readonly HBaseCell[], check: HBaseCheck): Promise<boolean> {
    const cell = (c: HBaseCell) => (c.timestamp === undefined ? { column: b64(c.column), $: b64(c.value) } : { column: b64(c.column), timestamp: c.timestamp, $: b64(c.value) });
    const body = { Row: [{ key: b64(key), Cell: [...cells.map(cell), { column: b64(check.column), $: check.value === undefined ? '' : b64(check.value) }] }] };
    try {
      await call<unknown>(`check-and-put ${table}/${key}`, (cb) => this.lib.connection.put(`${path(table, key)}?check=put`, body, cb));
      return true;
    } catch (error) {
      if ((error as HBaseError).status === 304) return false;
      throw error;
    }
  }
}
