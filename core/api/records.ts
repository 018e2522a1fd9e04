/**
 * Records, change kinds, provenance and batches: what flows between plugins.
 *
 * Records travel in batches, never one Promise per record. A batch is a set of parallel
 * arrays (struct of arrays) so the hot path allocates one object per batch, not per record.
 */

/** A record's value: a plain JSON-like object. Plugins must not mutate a record they did not create. */
export type Row = Record<string, unknown>;

/**
 * Change kind of a record in a changelog stream. Append-only streams carry only `insert`.
 * In an upsert stream, `update` replaces the row with the same upsert key and `delete`
 * removes it.
 */
export type ChangeKind = 'insert' | 'update' | 'delete';

/**
 * Where a record came from. A source fills what it knows: a file source the line, a Kafka
 * source the partition and offset. A join result carries both sides' provenance (an array);
 * an aggregate carries none.
 */
export interface Provenance {
  /** Source id in the pipeline. */
  readonly source: string;
  /** Named output of the source, when it has several. */
  readonly output?: string;
  readonly partition?: string | number;
  readonly offset?: string | number;
  /** 1-based line number, for line-oriented sources. */
  readonly line?: number;
}

export type ProvenanceRef = Provenance | readonly Provenance[] | undefined;

/**
 * A batch of records. `values[i]`, `times[i]`, `kinds?.[i]` and `provenance?.[i]` describe
 * record i. `kinds` is absent when every record is an `insert`; `provenance` is absent when
 * nothing is known.
 *
 * Contract: a batch handed to a plugin is read-only for it and valid only during the call;
 * keep the rows you need, never the arrays.
 */
export interface Batch<T = Row> {
  readonly length: number;
  readonly values: readonly T[];
  /** Event time of each record, epoch milliseconds. */
  readonly times: readonly number[];
  readonly kinds?: readonly ChangeKind[];
  readonly provenance?: readonly ProvenanceRef[];
}

/** Builds a batch record by record; used by the runtime and by sources. */
export class BatchBuilder<T = Row> {
  values: T[] = [];
  times: number[] = [];
  kinds: ChangeKind[] | undefined;
  provenance: ProvenanceRef[] | undefined;

  get length(): number {
    return this.values.length;
  }

  push(value: T, time: number, kind: ChangeKind = 'insert', provenance?: ProvenanceRef): void {
    const i = this.values.length;
    this.values.push(value);
    this.times.push(time);
    if (kind !== 'insert' || this.kinds) {
      if (!this.kinds) this.kinds = new Array<ChangeKind>(i).fill('insert');
      this.kinds.push(kind);
    }
    if (provenance !== undefined || this.provenance) {
      if (!this.provenance) this.provenance = new Array<ProvenanceRef>(i).fill(undefined);
      this.provenance.push(provenance);
    }
  }

  /** Hands the collected records over as a batch and starts a new, empty one. */
  take(): Batch<T> {
    const batch: Batch<T> = {
      length: this.values.length,
      values: this.values,
      times: this.times,
      ...(this.kinds ? { kinds: this.kinds } : {}),
      ...(this.provenance ? { provenance: this.provenance } : {}),
    };
    this.values = [];
    this.times = [];
    this.kinds = undefined;
    this.provenance = undefined;
    return batch;
  }
}

/** The empty batch. */
export const EMPTY_BATCH: Batch<never> = Object.freeze({ length: 0, values: [], times: [] });

/**
 * What an operator's output stream is. `append`: only inserts. `upsert`: inserts, updates
 * and deletes keyed by `key` (field names of the output row). Sinks and stateful operators
 * that consume an upsert stream apply it by key.
 */
export type Changelog =
  | { readonly mode: 'append' }
  | { readonly mode: 'upsert'; readonly key: readonly string[] };

export const APPEND_ONLY: Changelog = Object.freeze({ mode: 'append' });

/**
 * A function that builds rows with the given field names from an array of values
 * (`values[k]` becomes field `names[k]`), as one object literal: every row it builds has the
 * same shape from the start, which keeps the code that reads them fast (operators that
 * project a fixed set of fields, e.g. `map`'s `project` and `interval_join`'s `project`).
 * Generated once per call from the names, which enter the code only as JSON string
 * literals; a name `__proto__` (whose literal form would set the prototype) gets a plain
 * field-by-field builder instead.
 */
export function rowBuilder(names: readonly string[]): (values: readonly unknown[]) => Row {
  if (names.includes('__proto__')) {
    return (values) => {
      const row: Row = {};
      for (let k = 0; k < names.length; k++) Object.defineProperty(row, names[k]!, { value: values[k], enumerable: true, writable: true, configurable: true });
      return row;
    };
  }
  const fields = names.map((name, k) => `${JSON.stringify(name)}: values[${k}]`);
  return new Function('values', `return { ${fields.join(', ')} };`) as (values: readonly unknown[]) => Row;
}
