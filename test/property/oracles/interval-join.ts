/**
 * Naive interval join (docs/architecture.md §4): every accepted record is remembered forever; a record
 * is late when ts < W − lateness (W before its batch); on arrival it pairs with every
 * remembered record of the other side with the same key and r.ts − l.ts in [lower, upper],
 * in the other side's time order (ties by arrival). Imports nothing from the runtime.
 */
import type { LateRow } from './watermarks.ts';

export interface JoinRecord {
  value: { k: number; id: number };
  time: number;
  provenance: { source: string; offset: number };
}

export interface JoinBounds {
  lower: number;
  upper: number;
  lowerInclusive: boolean;
  upperInclusive: boolean;
  lateness: number;
}

export interface JoinPair {
  left: number;
  right: number;
  key: number;
  time: number;
  provenance: unknown;
}

export class IntervalJoinOracle {
  readonly output: JoinPair[] = [];
  readonly late: LateRow[] = [];
  private readonly accepted: [JoinRecord[], JoinRecord[]] = [[], []];

  constructor(private readonly b: JoinBounds) {}

  private matches(l: JoinRecord, r: JoinRecord): boolean {
    const d = r.time - l.time;
    const aboveLower = this.b.lowerInclusive ? d >= this.b.lower : d > this.b.lower;
    const belowUpper = this.b.upperInclusive ? d <= this.b.upper : d < this.b.upper;
    return l.value.k === r.value.k && aboveLower && belowUpper;
  }

  batch(records: JoinRecord[], input: 0 | 1, watermark: number): void {
    for (const x of records) {
      if (x.time < watermark - this.b.lateness) {
        this.late.push({ operator: 'op', reason: 'join_late', watermark, event_time: x.time, record: x.value, provenance: x.provenance });
        continue;
      }
      const others = this.accepted[input === 0 ? 1 : 0]
        .map((y, arrival) => ({ y, arrival }))
        .sort((a, b) => a.y.time - b.y.time || a.arrival - b.arrival);
      for (const { y } of others) {
        const [l, r] = input === 0 ? [x, y] : [y, x];
        if (this.matches(l, r)) {
          this.output.push({ left: l.value.id, right: r.value.id, key: l.value.k, time: Math.max(l.time, r.time), provenance: [l.provenance, r.provenance] });
        }
      }
      this.accepted[input].push(x);
    }
  }
}
