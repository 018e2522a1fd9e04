/**
 * Keyed state, declared up front by name and type (Flink's state descriptors). The runtime
 * owns storage, TTL and snapshots; a plugin only reads and writes the state of the current
 * key, synchronously.
 */

/** Time-to-live of a state entry. */
export interface StateTtl {
  /** Milliseconds. */
  readonly ms: number;
  /**
   * `event`: the entry expires when the watermark reaches its largest written event time
   * + ttl. `processing`: when the processing-time clock reaches its last write + ttl.
   */
  readonly on: 'event' | 'processing';
}

export interface StateDescriptor<K extends 'value' | 'map' | 'list' = 'value' | 'map' | 'list', T = unknown> {
  readonly kind: K;
  readonly ttl?: StateTtl;
  /** Phantom: the handle's type parameter. Never set. */
  readonly __type?: T;
}

/** One value per key. */
export interface ValueState<T> {
  get(): T | undefined;
  set(value: T): void;
  clear(): void;
}

/** A map per key. */
export interface MapState<K extends string | number, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): void;
  has(key: K): boolean;
  delete(key: K): void;
  /** Entries of the current key; do not write state while iterating. */
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  readonly size: number;
  clear(): void;
}

/** A list per key. */
export interface ListState<T> {
  /** The current list; read-only for the caller. */
  get(): readonly T[];
  add(value: T): void;
  /** Replaces the whole list. */
  update(values: T[]): void;
  clear(): void;
}

export type StateHandle<D> =
  D extends StateDescriptor<'value', infer T> ? ValueState<T>
  : D extends StateDescriptor<'map', infer T> ? (T extends [infer K extends string | number, infer V] ? MapState<K, V> : never)
  : D extends StateDescriptor<'list', infer T> ? ListState<T>
  : never;

export type StateHandles<S extends Record<string, StateDescriptor>> = { readonly [N in keyof S]: StateHandle<S[N]> };

/** Builders for state descriptors. Values must be structured-clone serialisable. */
export const state = {
  value<T>(opts: { ttl?: StateTtl } = {}): StateDescriptor<'value', T> {
    return { kind: 'value', ...opts };
  },
  map<K extends string | number, V>(opts: { ttl?: StateTtl } = {}): StateDescriptor<'map', [K, V]> {
    return { kind: 'map', ...opts };
  },
  list<T>(opts: { ttl?: StateTtl } = {}): StateDescriptor<'list', T> {
    return { kind: 'list', ...opts };
  },
};

/**
 * A serialised key, as state tables, timers and `batch.keys` hold it: a string, or, for an
 * operator that declares `integerKeys` (core/api/plugin.ts) over a backend that takes them,
 * a number when the key is one field whose value is a safe integer or its canonical
 * decimal text (`42` and `"42"` are the same key, as they were as strings). Number keys
 * spare the string's allocation, hashing and comparison at every record, which is most of
 * what a lookup among millions of keys costs. `keyText` gives the string form.
 */
export type StateKey = string | number;

/** The string form of a key: what the key was before integer keys, and is in every other operator. */
export const keyText = (key: StateKey): string => (typeof key === 'string' ? key : String(key));

/**
 * Storage of keyed state for one state of one operator: a table from the serialised key to
 * the state's value (the value, the Map, or the array). Reads and writes are synchronous;
 * an async backend loads what `prefetch` named before the batch is handed over.
 */
export interface StateTable<T = unknown> {
  get(key: StateKey): T | undefined;
  set(key: StateKey, value: T): void;
  delete(key: StateKey): void;
  keys(): IterableIterator<StateKey>;
  readonly size: number;
}

/**
 * A state backend (plugin kind `state_store`). The memory backend is the default; an
 * off-heap or remote backend implements the same contract.
 */
export interface StateBackend {
  /**
   * True when the backend takes number keys (`StateKey`) as they are, telling `3` from
   * `"3"` as a `Map` does. Without it every key it sees is a string, whatever the operator
   * declares.
   */
  readonly integerKeys?: boolean;
  /** The table of state `stateName` of operator `operatorId`; created empty on first use. */
  table<T>(operatorId: string, stateName: string): StateTable<T>;
  /** Loads the given keys of the given operator so the next synchronous reads hit. */
  prefetch?(operatorId: string, keys: readonly StateKey[]): Promise<void>;
  /**
   * Serialises every table, yielding chunks of at most `maxChunkBytes` so a large
   * snapshot never stalls the event loop; the caller awaits between chunks.
   */
  snapshot(maxChunkBytes: number): AsyncIterable<Uint8Array>;
  /**
   * Optional: captures the state as it is now, cheaply and synchronously, for a checkpoint
   * that serialises it while processing goes on (the sources are paused only for the call).
   * The capture's `snapshot` yields what `snapshot` would have yielded at the moment of the
   * call (same format, read by `restore`), however the tables change meanwhile. At most one
   * capture is open at a time; the caller releases it when the checkpoint is complete,
   * failed or cancelled. A backend without it is snapshotted with the job paused.
   */
  capture?(): StateCapture;
  /** Replaces all state with the chunks a snapshot produced, in order. */
  restore(chunks: AsyncIterable<Uint8Array>): Promise<void>;
  /** Approximate bytes held, for metrics. */
  approximateBytes?(): number;
}

/** The state of a backend at one instant (`StateBackend.capture`), written in the background. */
export interface StateCapture {
  /** Serialises the captured state like `StateBackend.snapshot`; callable once. Throws once released. */
  snapshot(maxChunkBytes: number): AsyncIterable<Uint8Array>;
  /** Ends the capture and frees what it holds; idempotent. The tables stop paying for it. */
  release(): void;
}
