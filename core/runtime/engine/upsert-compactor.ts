/**
 * Mini-batch compaction of an upsert stream (as Flink SQL's mini-batch): while an operator's
 * upsert output is held, each upsert key keeps only its latest change, so downstream stages
 * (statistics, sinks) do their work once per changed key, not once per record.
 *
 * Changes of one key merge as a consumer applying them one by one would see them:
 *
 *   first held  later          result
 *   insert      update         insert (latest value)
 *   insert      delete         nothing (the row never reached downstream)
 *   update      …, update      update (latest value)
 *   update      …, delete      delete
 *   delete      insert/update  update (latest value)
 *
 * The compacted record keeps the latest change's value, event time and provenance; keys
 * keep the order in which they were first held. A record whose key fields are missing is
 * passed through on its own (never merged).
 */
import type { Batch, ChangeKind, ProvenanceRef, Row } from '../../api/index.ts';
import type { KeySpec, StateKey } from '../../api/index.ts';
import { keyExtractor } from '../state/index.ts';

export class UpsertCompactor {
  private readonly extract: (row: Row) => StateKey;
  private readonly slots = new Map<StateKey, number>();
  private values: Row[] = [];
  private times: number[] = [];
  private kinds: (ChangeKind | undefined)[] = [];
  /** Whether the key's row existed downstream before the first held change. */
  private existed: boolean[] = [];
  private provenance: ProvenanceRef[] = [];
  private hasProvenance = false;
  private unkeyed = 0;
  /** Records added since the last `take`, before compaction. */
  absorbed = 0;

  constructor(key: KeySpec) {
    this.extract = keyExtractor(key);
  }

  /** Distinct keys held. */
  get size(): number {
    return this.values.length;
  }

  add(batch: Batch): void {
    const { values, times, kinds, provenance } = batch;
    if (provenance) this.hasProvenance = true;
    this.absorbed += batch.length;
    for (let i = 0; i < batch.length; i++) {
      const value = values[i]!;
      const kind = kinds?.[i] ?? 'insert';
      let key: StateKey;
      try {
        key = this.extract(value);
      } catch {
        key = `\u0000unkeyed:${this.unkeyed++}`;
      }
      const slot = this.slots.get(key);
      if (slot === undefined) {
        this.slots.set(key, this.values.length);
        this.values.push(value);
        this.times.push(times[i]!);
        this.kinds.push(kind);
        this.existed.push(kind !== 'insert');
        this.provenance.push(provenance?.[i]);
        continue;
      }
      this.values[slot] = value;
      this.times[slot] = times[i]!;
      this.kinds[slot] = kind;
      this.provenance[slot] = provenance?.[i];
    }
  }

  /** The held changes, one per key, and starts empty. */
  take(): Batch {
    const n = this.values.length;
    const values: Row[] = [];
    const times: number[] = [];
    const kinds: ChangeKind[] = [];
    const provenance: ProvenanceRef[] = [];
    let allInserts = true;
    for (let i = 0; i < n; i++) {
      const last = this.kinds[i]!;
      const existed = this.existed[i]!;
      let kind: ChangeKind;
      if (last === 'delete') {
        if (!existed) continue;
        kind = 'delete';
      } else {
        kind = existed ? 'update' : 'insert';
      }
      if (kind !== 'insert') allInserts = false;
      values.push(this.values[i]!);
      times.push(this.times[i]!);
      kinds.push(kind);
      provenance.push(this.provenance[i]);
    }
    const batch: Batch = {
      length: values.length,
      values,
      times,
      ...(allInserts ? {} : { kinds }),
      ...(this.hasProvenance ? { provenance } : {}),
    };
    this.slots.clear();
    this.values = [];
    this.times = [];
    this.kinds = [];
    this.existed = [];
    this.provenance = [];
    this.hasProvenance = false;
    this.unkeyed = 0;
    this.absorbed = 0;
    return batch;
  }
}
