/**
 * `StateBackend.capture` for the memory backend: the state at a checkpoint's barrier,
 * serialised in the background while the job runs on (capture on access).
 *
 * At the barrier each table's keys and values are copied into two arrays (the entries of
 * the snapshot; the values are references to the live objects) and the table gets this
 * capture as its watcher. While the capture is open the table tells the watcher before it
 * reads or changes a key (`get`, `set`, `delete`); on a key's first access the watcher
 * keeps a copy of its value (`copyOf`). Copying at `set` would be too late: handles `get` a
 * value, mutate it in place, then `set` it. The writer walks the barrier entries and
 * writes, for each, the kept copy if there is one, else the barrier's reference: nothing
 * has accessed that key since the barrier, so its object is unchanged. Keys created after
 * the barrier are not in the arrays and are not written; a key deleted after the barrier
 * was copied on its first access, before the delete.
 *
 * Cost while open: a Map lookup per access, and one copy per distinct key accessed, keys
 * the writer has already passed or created after the barrier included (telling those apart
 * would take an index over every key), until the writer is done with the key's table:
 * tables are written smallest first, and each stops watching once written. The capture closes itself once everything is
 * serialised (the checkpoint reads ahead of the store, see core/runtime/checkpoint), or at
 * `release`. Memory: the two arrays and the copies, all dropped then. The output is the
 * memory backend's snapshot format (frames of `{ table, entries }`), so
 * `MemoryStateBackend.restore` reads it unchanged.
 */
import type { StateCapture, StateKey } from '../../api/state.ts';
import { ChunkWriter, yieldToEventLoop } from './chunking.ts';
import type { StateKeyMap } from './state-key-map.ts';

/** Entries per frame. */
const GROUP = 2048;
/** The writer gives the event loop a turn after this many milliseconds of work. */
const SLICE_MS = 5;
/** Kept for a key that did not exist when first accessed (created after the barrier). */
const ABSENT = Symbol('absent');

/** What a memory table offers a capture: its map, and a slot for the watcher. */
export interface CapturableTable {
  readonly map: StateKeyMap<unknown>;
  watcher: TableWatcher | undefined;
}

/** Told before a table reads or changes `key`, while a capture is open. */
export interface TableWatcher {
  touch(key: StateKey): void;
}

/**
 * A copy that serialises like `value` and shares nothing mutable with it: primitives as
 * they are, flat plain objects and arrays of primitives copied shallowly (the common
 * accumulator: much cheaper than a structured clone), anything else structured-cloned.
 */
function copyOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (const v of value) if (typeof v === 'object' && v !== null) return structuredClone(value);
    return value.slice();
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    if (typeof v === 'object' && v !== null) return structuredClone(value);
    copy[k] = v;
  }
  return copy;
}

class TableCapture implements TableWatcher {
  readonly kept = new Map<StateKey, unknown>();
  keys: StateKey[];
  /** The values at the barrier, by position in `keys`: live objects, valid where no copy was kept. */
  values: unknown[];

  constructor(
    readonly name: string,
    readonly table: CapturableTable,
    readonly owner: MemoryCapture,
  ) {
    ({ keys: this.keys, values: this.values } = table.map.copy());
  }

  touch(key: StateKey): void {
    if (this.kept.has(key)) return;
    const value = this.table.map.get(key);
    if (value === undefined) this.kept.set(key, ABSENT);
    else this.kept.set(key, copyOf(value));
  }

  /** Every entry is serialised: accesses need no copies any more. */
  done(): void {
    if (this.table.watcher === this) this.table.watcher = undefined;
    this.kept.clear();
    this.keys = [];
    this.values = [];
  }

  /** The value at the barrier of the key at position `i` of `keys`. */
  valueAt(i: number): unknown {
    const kept = this.kept.get(this.keys[i]!);
    return kept === undefined ? this.values[i] : kept;
  }
}

export class MemoryCapture implements StateCapture {
  private tables: TableCapture[];
  private released = false;
  private started = false;

  constructor(tables: ReadonlyMap<string, CapturableTable>) {
    // A capture left open (an attempt abandoned without releasing) is superseded.
    for (const table of tables.values()) if (table.watcher instanceof TableCapture) table.watcher.owner.release();
    this.tables = [...tables].map(([name, table]) => new TableCapture(name, table, this));
    for (const t of this.tables) t.table.watcher = t;
  }

  async *snapshot(maxChunkBytes: number): AsyncIterable<Uint8Array> {
    if (this.started) throw new Error('a state capture is written once');
    this.started = true;
    const writer = new ChunkWriter(maxChunkBytes);
    let slice = performance.now();
    // Smaller tables first: a table stops costing copies once it is written (`done`), and
    // the many small ones are then done before the large ones start.
    const order = [...this.tables].sort((a, b) => a.keys.length - b.keys.length);
    for (const t of order) {
      // An empty table is written too, so restore knows it existed.
      if (t.keys.length === 0) writer.write({ table: t.name, entries: [] });
      for (let i = 0; i < t.keys.length; i += GROUP) {
        this.check();
        const end = Math.min(i + GROUP, t.keys.length);
        // Pushed, not preallocated: v8 writes a holey array as a sparse one, with indexes.
        const entries: [StateKey, unknown][] = [];
        for (let j = i; j < end; j++) {
          entries.push([t.keys[j]!, t.valueAt(j)]);
        }
        writer.write({ table: t.name, entries });
        for (const chunk of writer.takeReady()) yield chunk;
        if (performance.now() - slice >= SLICE_MS) {
          await yieldToEventLoop();
          slice = performance.now();
        }
      }
      t.done();
    }
    this.check();
    const last = writer.finish();
    // Everything is serialised: the tables stop paying for the capture now.
    this.release();
    for (const chunk of last) yield chunk;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    for (const t of this.tables) t.done();
    this.tables = [];
  }

  private check(): void {
    if (this.released) throw new Error('the state capture was released before it was written');
  }
}
