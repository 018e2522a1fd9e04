/**
 * The in-memory state backend (the default): one table per (operator, state), a `Map` but
 * for keys that are small non-negative integers, held in an array at the key
 * (`state-key-map.ts`).
 *
 * `snapshot` writes each table as frames of at most `GROUP` entries (v8-serialised, so
 * Maps, arrays, Dates and typed arrays survive) into chunks of at most `maxChunkBytes`,
 * yielding to the event loop after every chunk so a large checkpoint never stalls
 * heartbeats. `restore` refills the existing table objects, so handles created before a
 * restore stay valid.
 */
import type { StateBackend, StateCapture, StateKey, StateTable } from '../../api/state.ts';
import { ChunkWriter, readFrames, yieldToEventLoop } from './chunking.ts';
import { estimateStateTableBytes } from './estimate.ts';
import { MemoryCapture, type TableWatcher } from './memory-capture.ts';
import { StateKeyMap } from './state-key-map.ts';

const GROUP = 2048;
const TABLE_SEPARATOR = '\u0000';

class MemoryTable<T> implements StateTable<T> {
  /** Integer keys of ids from a sequence in an array at the key, the others in a `Map` (state-key-map.ts). */
  readonly map = new StateKeyMap<T>();
  /** Set while a checkpoint capture is open (memory-capture.ts). */
  watcher: TableWatcher | undefined = undefined;
  get(key: StateKey): T | undefined {
    if (this.watcher !== undefined) this.watcher.touch(key);
    return this.map.get(key);
  }
  set(key: StateKey, value: T): void {
    if (this.watcher !== undefined) this.watcher.touch(key);
    this.map.set(key, value);
  }
  delete(key: StateKey): void {
    if (this.watcher !== undefined) this.watcher.touch(key);
    this.map.delete(key);
  }
  keys(): IterableIterator<StateKey> {
    return this.map.keys();
  }
  /** Entries spread over the table, for `estimateStateTableBytes`. */
  sample(n: number): [StateKey, T][] {
    return this.map.sample(n);
  }
  get size(): number {
    return this.map.size;
  }
}

interface TableFrame {
  readonly table: string;
  readonly entries: [StateKey, unknown][];
}

export class MemoryStateBackend implements StateBackend {
  /** Keys are `Map` keys: a number and its text are two keys, as `StateKey` requires. */
  readonly integerKeys = true;
  private readonly tables = new Map<string, MemoryTable<unknown>>();
  private open: StateCapture | undefined;

  table<T>(operatorId: string, stateName: string): StateTable<T> {
    const name = operatorId + TABLE_SEPARATOR + stateName;
    let table = this.tables.get(name);
    if (!table) {
      table = new MemoryTable<unknown>();
      this.tables.set(name, table);
    }
    return table as MemoryTable<T>;
  }

  async *snapshot(maxChunkBytes: number): AsyncIterable<Uint8Array> {
    const writer = new ChunkWriter(maxChunkBytes);
    for (const [name, table] of this.tables) {
      let entries: [StateKey, unknown][] = [];
      // An empty table is written too, so restore knows it existed.
      if (table.map.size === 0) writer.write({ table: name, entries } satisfies TableFrame);
      for (const entry of table.map) {
        entries.push(entry);
        if (entries.length === GROUP) {
          writer.write({ table: name, entries } satisfies TableFrame);
          entries = [];
          for (const chunk of writer.takeReady()) {
            yield chunk;
            await yieldToEventLoop();
          }
        }
      }
      if (entries.length) writer.write({ table: name, entries } satisfies TableFrame);
      for (const chunk of writer.takeReady()) {
        yield chunk;
        await yieldToEventLoop();
      }
    }
    for (const chunk of writer.finish()) yield chunk;
  }

  /** The state now, written in the background while the tables change (memory-capture.ts). */
  capture(): StateCapture {
    return (this.open = new MemoryCapture(this.tables));
  }

  async restore(chunks: AsyncIterable<Uint8Array>): Promise<void> {
    this.open?.release(); // a capture would not see the tables cleared
    for (const table of this.tables.values()) table.map.clear();
    let frames = 0;
    for await (const frame of readFrames(chunks)) {
      const { table: name, entries } = frame as TableFrame;
      let table = this.tables.get(name);
      if (!table) {
        table = new MemoryTable<unknown>();
        this.tables.set(name, table);
      }
      for (const [k, v] of entries) table.map.set(k, v);
      if (++frames % 64 === 0) await yieldToEventLoop();
    }
  }

  /** Estimated from a sample of each table's entries, serialised; cheap enough for metrics. */
  approximateBytes(): number {
    let total = 0;
    for (const table of this.tables.values()) total += estimateStateTableBytes(table);
    return total;
  }

  /** Keys held per table (`operator\0state`), for metrics and the benchmark. */
  tableSizes(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, table] of this.tables) out.set(name, table.map.size);
    return out;
  }
}
