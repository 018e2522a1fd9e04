/**
 * A checkpoint store in an HBase table (default `sluice_checkpoints`, families `d` for
 * chunk data and `m` for manifests, one version each):
 *
 *   {job}|{id:10}|chunk|{name}|{part:6}   d:v   ≤ cell_bytes of a chunk, parts in order
 *   {job}|{id:10}|manifest                m:json  the manifest; present only once complete
 *
 * Chunks are written first, each in one multi-row put. The manifest row is written last
 * with a checked put (`m:json` must not exist yet): HBase applies it atomically, so a
 * checkpoint is either complete or has no manifest, and a second writer of the same
 * checkpoint (a stale attempt) is refused instead of overwriting it. `latest()` scans
 * the job's manifest rows only (family `m`), never chunk data. Savepoints (manifests with
 * `savepoint`) survive `prune`; `delete` removes a manifest row first, then the chunk rows.
 */
import type { CheckpointManifest, CheckpointStore } from '../../core/api/index.ts';
import { decodeManifest, encodeManifest, isSavepoint, SluiceError } from '../../core/api/index.ts';
import type { HBaseClient } from '../../lib/hbase-client/client.ts';

const MANIFEST_COLUMN = 'm:json';
const DATA_COLUMN = 'd:v';
const ID_DIGITS = 10;

function idText(id: number): string {
  if (!Number.isSafeInteger(id) || id < 0 || id >= 10 ** ID_DIGITS) throw new RangeError(`checkpoint id must be an integer from 0 to 10^${ID_DIGITS}, got ${id}`);
  return String(id).padStart(ID_DIGITS, '0');
}

function checkName(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new RangeError(`bad checkpoint chunk name '${name}'`);
  return name;
}

/** The manifest codec is `sluice/api`'s; re-exported for callers that imported it from here. */
export { decodeManifest, encodeManifest };

export interface HBaseStoreOptions {
  readonly table: string;
  readonly job: string;
  /** Largest cell, bytes. */
  readonly cellBytes: number;
  readonly createTable: boolean;
}

export class HBaseCheckpointStore implements CheckpointStore {
  private ready: Promise<void> | undefined;

  constructor(
    private readonly client: HBaseClient,
    private readonly o: HBaseStoreOptions,
  ) {
    if (o.job.includes('|')) throw new RangeError(`job name '${o.job}' contains '|', the row-key separator`);
  }

  describe(): string {
    return `hbase ${this.o.table} ${this.o.job} (${this.client.describe()})`;
  }

  private prefix(id: number): string {
    return `${this.o.job}|${idText(id)}|`;
  }

  /** Creates the table once, on first use. */
  private table(): Promise<string> {
    if (!this.o.createTable) return Promise.resolve(this.o.table);
    this.ready ??= this.client.createTable(this.o.table, [{ name: 'd' }, { name: 'm' }]).then(
      () => undefined,
      (error: unknown) => {
        this.ready = undefined;
        throw error;
      },
    );
    return this.ready.then(() => this.o.table);
  }

  async writeChunk(id: number, name: string, data: Uint8Array): Promise<void> {
    const table = await this.table();
    const base = `${this.prefix(id)}chunk|${checkName(name)}|`;
    const rows = [];
    const step = this.o.cellBytes;
    for (let at = 0, part = 0; at < data.byteLength || part === 0; at += step, part++) {
      rows.push({ key: base + String(part).padStart(6, '0'), cells: [{ column: DATA_COLUMN, value: data.subarray(at, Math.min(at + step, data.byteLength)) }] });
    }
    await this.client.putRows(table, rows);
  }

  async commit(manifest: CheckpointManifest): Promise<void> {
    const table = await this.table();
    const key = `${this.prefix(manifest.id)}manifest`;
    const ok = await this.client.checkAndPut(table, key, [{ column: MANIFEST_COLUMN, value: encodeManifest(manifest) }], { column: MANIFEST_COLUMN });
    if (!ok) throw new SluiceError('E_CHECKPOINT', `checkpoint ${manifest.id}: a manifest already exists in ${this.describe()} (another writer committed it); refusing to overwrite it`);
  }

  /** Complete checkpoints of the job, oldest first. */
  private async manifests(): Promise<CheckpointManifest[]> {
    const table = await this.table();
    const rows = await this.client.scan(table, { prefix: `${this.o.job}|`, columns: ['m'] });
    const out: CheckpointManifest[] = [];
    for (const row of rows) {
      const cell = row.cells.find((c) => c.column === MANIFEST_COLUMN);
      if (!cell) continue;
      try {
        out.push(decodeManifest(cell.value.toString('utf8')));
      } catch (cause) {
        throw new SluiceError('E_CHECKPOINT', `manifest row '${row.key}' in ${this.describe()} is not valid JSON`, { cause });
      }
    }
    return out.sort((a, b) => a.id - b.id);
  }

  async latest(): Promise<CheckpointManifest | undefined> {
    return (await this.manifests()).at(-1);
  }

  async list(): Promise<CheckpointManifest[]> {
    return (await this.manifests()).reverse();
  }

  async readChunk(id: number, name: string): Promise<Uint8Array> {
    const table = await this.table();
    const rows = await this.client.scan(table, { prefix: `${this.prefix(id)}chunk|${checkName(name)}|`, columns: [DATA_COLUMN], batch: 4 });
    if (rows.length === 0) throw new SluiceError('E_CHECKPOINT', `checkpoint ${id}: no chunk '${name}' in ${this.describe()}`);
    return Buffer.concat(rows.map((r) => r.cells[0]!.value));
  }

  async prune(retain: number): Promise<void> {
    const table = await this.table();
    const manifests = await this.manifests();
    const kept = manifests.filter((m) => !isSavepoint(m)).slice(-Math.max(1, retain));
    const oldestKept = kept[0]?.id;
    if (oldestKept === undefined) return;
    const savepoints = new Set(manifests.filter(isSavepoint).map((m) => idText(m.id)));
    // Every row of older checkpoints, complete or not, but savepoints; newer incomplete ones may be in progress.
    const rows = await this.client.scan(table, { prefix: `${this.o.job}|`, end: this.prefix(oldestKept), keysOnly: true });
    for (const row of rows) if (!savepoints.has(row.key.split('|')[1]!)) await this.client.deleteRow(table, row.key);
  }

  async read(id: number): Promise<CheckpointManifest | undefined> {
    const table = await this.table();
    const row = await this.client.getRow(table, `${this.prefix(id)}manifest`);
    const cell = row?.cells.find((c) => c.column === MANIFEST_COLUMN);
    return cell ? decodeManifest(cell.value.toString('utf8')) : undefined;
  }

  async delete(id: number): Promise<void> {
    const table = await this.table();
    const manifestKey = `${this.prefix(id)}manifest`;
    // The manifest first: from then on the checkpoint is incomplete, whatever happens to its chunks.
    await this.client.deleteRow(table, manifestKey);
    const rows = await this.client.scan(table, { prefix: this.prefix(id), keysOnly: true });
    for (const row of rows) await this.client.deleteRow(table, row.key);
  }
}
