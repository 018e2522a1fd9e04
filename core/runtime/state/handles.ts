/**
 * State handles (`ValueState`, `MapState`, `ListState`) over a `StateBackend`, scoped to the
 * current key of a `KeyContext`, with optional TTL.
 *
 * Every mutation writes the key's value back with `table.set`, so a backend that does not
 * hand out live objects (off-heap, remote) sees it. TTL is per key and state: a write to
 * any part of a key's map or list refreshes the whole entry's expiry.
 */
import type { ListState, MapState, StateBackend, StateDescriptor, StateHandles, StateKey, StateTable, ValueState } from '../../api/state.ts';
import type { KeyContext, TtlClock } from './key-context.ts';
import { TTL_TABLE_SUFFIX, TtlTracker } from './ttl.ts';
import { estimateStateTableBytes } from './estimate.ts';

/** The handles of one operator plus what the runtime does with them. */
export interface KeyedStateSet<St extends Record<string, StateDescriptor> = Record<string, StateDescriptor>> {
  readonly handles: StateHandles<St>;
  /** Deletes TTL-expired entries; the runtime calls it after the watermark or clock advance. Returns entries removed. */
  expire(watermark: number, now: number): number;
  /** Recreates memory-only TTL indexes from the backend; call after the backend was restored. */
  reload(): void;
  /**
   * Moves every entry whose key `keyOf` maps to another (e.g. a checkpoint's `"42"` to the
   * `42` of an operator with integer keys), in the state and TTL tables; call after the
   * backend was restored, before `reload`. Returns the entries moved.
   */
  rekey(keyOf: (key: StateKey) => StateKey): number;
  /** Approximate serialised bytes of this operator's keyed state (sampled). */
  approximateBytes(): number;
  /** Keys holding state (the largest table's size). */
  keyCount(): number;
}

const EMPTY: readonly never[] = Object.freeze([]);
const emptyIterator = <T>(): IterableIterator<T> => ([] as T[])[Symbol.iterator]();

/** Reads a key's live value, hiding (and dropping) it once its TTL has passed. */
function reader<T>(table: StateTable<T>, ttl: TtlTracker | undefined) {
  if (!ttl) return (key: StateKey) => table.get(key);
  return (key: StateKey): T | undefined => {
    const value = table.get(key);
    if (value !== undefined && ttl.isExpired(key)) {
      table.delete(key);
      ttl.cleared(key);
      return undefined;
    }
    return value;
  };
}

function valueHandle<T>(table: StateTable<T>, kc: KeyContext, ttl: TtlTracker | undefined): ValueState<T> {
  const read = reader(table, ttl);
  return {
    get: () => read(kc.requireKey()),
    set(value: T) {
      const key = kc.requireKey();
      table.set(key, value);
      ttl?.touched(key);
    },
    clear() {
      const key = kc.requireKey();
      table.delete(key);
      ttl?.cleared(key);
    },
  };
}

function mapHandle<K extends string | number, V>(table: StateTable<Map<K, V>>, kc: KeyContext, ttl: TtlTracker | undefined): MapState<K, V> {
  const read = reader(table, ttl);
  return {
    get: (k) => read(kc.requireKey())?.get(k),
    has: (k) => read(kc.requireKey())?.has(k) ?? false,
    set(k, v) {
      const key = kc.requireKey();
      let map = read(key);
      if (!map) map = new Map();
      map.set(k, v);
      table.set(key, map);
      ttl?.touched(key);
    },
    delete(k) {
      const key = kc.requireKey();
      const map = read(key);
      if (!map || !map.delete(k)) return;
      if (map.size === 0) {
        table.delete(key);
        ttl?.cleared(key);
      } else {
        table.set(key, map);
      }
    },
    entries: () => read(kc.requireKey())?.entries() ?? emptyIterator(),
    keys: () => read(kc.requireKey())?.keys() ?? emptyIterator(),
    get size() {
      return read(kc.requireKey())?.size ?? 0;
    },
    clear() {
      const key = kc.requireKey();
      table.delete(key);
      ttl?.cleared(key);
    },
  };
}

function listHandle<T>(table: StateTable<T[]>, kc: KeyContext, ttl: TtlTracker | undefined): ListState<T> {
  const read = reader(table, ttl);
  return {
    get: () => read(kc.requireKey()) ?? EMPTY,
    add(value) {
      const key = kc.requireKey();
      const list = read(key);
      if (list) list.push(value);
      table.set(key, list ?? [value]);
      ttl?.touched(key);
    },
    update(values) {
      const key = kc.requireKey();
      if (values.length === 0) {
        table.delete(key);
        ttl?.cleared(key);
        return;
      }
      table.set(key, values);
      ttl?.touched(key);
    },
    clear() {
      const key = kc.requireKey();
      table.delete(key);
      ttl?.cleared(key);
    },
  };
}

/** Moves the entries of `table` whose key `keyOf` changes; returns how many. */
function rekeyTable(table: StateTable<unknown>, keyOf: (key: StateKey) => StateKey): number {
  const moves: [StateKey, StateKey][] = [];
  for (const key of table.keys()) {
    const to = keyOf(key);
    if (to !== key) moves.push([key, to]);
  }
  for (const [from, to] of moves) {
    table.set(to, table.get(from));
    table.delete(from);
  }
  return moves.length;
}

/**
 * Creates the handles of the states `descriptors` declares for operator `operatorId`.
 * `ttlClock` gives the operator's watermark and processing time, for TTL.
 */
export function createStateHandles<St extends Record<string, StateDescriptor>>(
  backend: StateBackend,
  operatorId: string,
  descriptors: St,
  keyContext: KeyContext,
  ttlClock: TtlClock,
): KeyedStateSet<St> {
  const handles: Record<string, unknown> = {};
  const trackers: TtlTracker[] = [];
  const tables: StateTable<unknown>[] = [];
  for (const [name, descriptor] of Object.entries(descriptors)) {
    const table = backend.table<unknown>(operatorId, name);
    tables.push(table);
    const ttl = descriptor.ttl
      ? new TtlTracker(backend, operatorId, name, descriptor.ttl, keyContext, ttlClock, (key) => table.delete(key))
      : undefined;
    if (ttl) trackers.push(ttl);
    switch (descriptor.kind) {
      case 'value':
        handles[name] = valueHandle(table, keyContext, ttl);
        break;
      case 'map':
        handles[name] = mapHandle(table as StateTable<Map<string, unknown>>, keyContext, ttl);
        break;
      case 'list':
        handles[name] = listHandle(table as StateTable<unknown[]>, keyContext, ttl);
        break;
      default:
        throw new Error(`state '${name}' of operator '${operatorId}' has unknown kind '${(descriptor as StateDescriptor).kind}'`);
    }
  }
  return {
    handles: handles as StateHandles<St>,
    expire(watermark, now) {
      let removed = 0;
      for (const t of trackers) removed += t.expire(watermark, now);
      return removed;
    },
    reload() {
      for (const t of trackers) t.rebuild();
    },
    rekey(keyOf) {
      let moved = 0;
      const withTtl = [...tables, ...Object.keys(descriptors).filter((n) => descriptors[n]!.ttl).map((n) => backend.table<unknown>(operatorId, n + TTL_TABLE_SUFFIX))];
      for (const table of withTtl) moved += rekeyTable(table, keyOf);
      return moved;
    },
    approximateBytes() {
      let bytes = 0;
      for (const t of tables) bytes += estimateStateTableBytes(t);
      return bytes;
    },
    keyCount() {
      let keys = 0;
      for (const t of tables) keys = Math.max(keys, t.size);
      return keys;
    },
  };
}
