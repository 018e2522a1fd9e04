/**
 * The part of the `hbase` npm package (0.6.1, CommonJS, no types) that the REST client
 * uses, declared here and loaded through `createRequire`.
 */
import { createRequire } from 'node:module';

export type Callback<T> = (error: Error | null, data: T, response?: { statusCode?: number; headers: Record<string, string | string[] | undefined> }) => void;

export interface LibConnection {
  get(path: string, callback: Callback<unknown>): void;
  put(path: string, body: unknown, callback: Callback<unknown>): void;
  delete(path: string, callback: Callback<unknown>): void;
}

export interface LibCell {
  readonly key?: string;
  readonly column: string;
  readonly timestamp?: number | string;
  readonly $: string;
}

export interface LibScanner {
  on(event: 'readable', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'end', listener: () => void): this;
  read(): LibCell | null;
  destroy(): void;
}

export interface LibScanOptions {
  startRow?: string;
  endRow?: string;
  column?: string[];
  startTime?: number;
  filter?: unknown;
  batch?: number;
}

export interface LibRow {
  put(cells: LibCell[], callback: Callback<unknown>): void;
}

export interface LibTable {
  create(schema: { ColumnSchema: { name: string; VERSIONS?: string }[] }, callback: Callback<unknown>): void;
  delete(callback: Callback<unknown>): void;
  exists(callback: Callback<boolean>): void;
  row(key: string | null): LibRow;
  scan(options: LibScanOptions): LibScanner;
}

export interface LibClient {
  readonly connection: LibConnection;
  version(callback: Callback<{ Server?: string; REST?: string } | null>): void;
  version_cluster(callback: Callback<string | { Version?: string } | null>): void;
  table(name: string): LibTable;
}

export interface LibOptions {
  host: string;
  port: number | string;
  protocol: 'http' | 'https';
  /** 'base64': the library passes keys, columns and values through as base64 untouched. */
  encoding: 'base64';
  /** Request timeout, ms. */
  timeout?: number;
}

const load = createRequire(import.meta.url);

export function createLibClient(options: LibOptions): LibClient {
  const { Client } = load('hbase') as { Client: new (options: LibOptions) => LibClient };
  return new Client(options);
}
