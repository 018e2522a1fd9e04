/**
 * Naive dedupe (docs/architecture.md §4): first occurrence by `event_id`, else by the named fields; an
 * identity is remembered while W ≤ largest ts seen + ttl; late when ts < W − lateness,
 * judged against the watermark before the batch. Imports nothing from the runtime.
 */
import type { LateRow } from './watermarks.ts';

export interface DedupeRecord {
  value: Record<string, unknown>;
  time: number;
}

export class DedupeOracle {
  readonly output: DedupeRecord[] = [];
  readonly late: LateRow[] = [];
  duplicates = 0;
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly fields: string[],
    private readonly ttl: number,
    private readonly lateness: number,
  ) {}

  private identity(v: Record<string, unknown>): string {
    if (v.event_id !== undefined && v.event_id !== null) return 'id:' + JSON.stringify(v.event_id);
    return 'fields:' + JSON.stringify(this.fields.map((f) => v[f]));
  }

  batch(records: DedupeRecord[], watermark: number): void {
    for (const r of records) {
      if (r.time < watermark - this.lateness) {
        this.late.push({ operator: 'op', reason: 'dedupe_late', watermark, event_time: r.time, record: r.value, provenance: null });
        continue;
      }
      const id = this.identity(r.value);
      const largest = this.seen.get(id);
      if (largest !== undefined && watermark <= largest + this.ttl) {
        this.duplicates++;
        this.seen.set(id, Math.max(largest, r.time));
      } else {
        this.output.push({ value: r.value, time: r.time });
        this.seen.set(id, r.time);
      }
    }
  }
}
