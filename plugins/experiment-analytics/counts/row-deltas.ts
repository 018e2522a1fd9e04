/**
 * The rows of `experiment_counts` one `experiment_user_counts` instance has seen, each with
 * its change in the current batch. A row — (experiment, epoch, segment, group, action) —
 * is found by experiment, then action, then a short scan over epoch, segment and group,
 * with no string built per lookup; its `row_key` and `user_key` strings are built once, and
 * users' state keys their counts by `user_key` (the same string object for every user: its hash is cached).
 *
 * Not checkpointed: the deltas are emptied at the end of every batch (`take`), and the
 * rows are a cache, pruned once their epoch has passed the allowed lateness.
 */
import type { ProvenanceRef, Row } from 'sluice/api';
import { EPOCH_MS, countsRowKey, epochKey } from '../model/index.ts';

/** One counts row and its change in the current batch. */
export interface RowDelta {
  readonly experiment_id: string;
  readonly epoch_start: number;
  readonly segment: number;
  readonly group: string;
  readonly action: string;
  readonly row_key: string;
  /** The key of the row in users' state: the epoch start in 13 digits, `|`, `row_key`. */
  readonly user_key: string;
  volume: number;
  propensity: number;
  sum_sq: number;
  time: number;
  provenance: ProvenanceRef;
  /** Whether the row changed in the current batch (it is in the emission order). */
  changed: boolean;
}

/** Rows seen before pruning is considered again. */
const PRUNE_EVERY = 4096;

export class RowDeltas {
  private readonly rows = new Map<string, Map<string, RowDelta[]>>();
  /** Rows changed in the current batch, in the order of their first change. */
  private readonly order: RowDelta[] = [];
  private size = 0;
  private pruneAt = PRUNE_EVERY;

  /** The row of a joined pair (`{experiment_id, epoch_start, segment, group, action}`). */
  rowOf(value: Row): RowDelta {
    const experiment = value.experiment_id as string;
    const action = value.action as string;
    let byAction = this.rows.get(experiment);
    if (byAction === undefined) this.rows.set(experiment, (byAction = new Map()));
    let list = byAction.get(action);
    if (list === undefined) byAction.set(action, (list = []));
    const { epoch_start, segment, group } = value;
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!;
      if (r.epoch_start === epoch_start && r.group === group && r.segment === segment) return r;
    }
    const epochStart = epoch_start as number;
    const rowKey = countsRowKey(experiment, epochStart, segment as number, action, group as string);
    const row: RowDelta = {
      experiment_id: experiment, epoch_start: epochStart, segment: segment as number, group: group as string, action,
      row_key: rowKey, user_key: `${epochKey(epochStart)}|${rowKey}`,
      volume: 0, propensity: 0, sum_sq: 0, time: 0, provenance: undefined, changed: false,
    };
    list.push(row);
    this.size++;
    return row;
  }

  /** Adds one pair, the user's `before`-th of the row, at `time`. */
  add(row: RowDelta, before: number, time: number, provenance: ProvenanceRef): void {
    if (!row.changed) {
      row.changed = true;
      this.order.push(row);
    }
    row.volume++;
    row.sum_sq += 2 * before + 1;
    if (before === 0) row.propensity++;
    row.time = time;
    row.provenance = provenance;
  }

  /** The rows changed since the last call, in order of first change; their deltas are reset after `visit`. */
  take(visit: (row: RowDelta) => void): void {
    for (const row of this.order) {
      visit(row);
      row.changed = false;
      row.volume = 0;
      row.propensity = 0;
      row.sum_sq = 0;
      row.provenance = undefined;
    }
    this.order.length = 0;
  }

  /** Forgets rows whose epoch ended more than `lateness` before `watermark` (checked every few thousand new rows). */
  prune(watermark: number, lateness: number): void {
    if (this.size < this.pruneAt) return;
    for (const [experiment, byAction] of this.rows) {
      for (const [action, list] of byAction) {
        const kept = list.filter((r) => r.changed || r.epoch_start + EPOCH_MS + lateness > watermark);
        this.size -= list.length - kept.length;
        if (kept.length === 0) byAction.delete(action);
        else if (kept.length < list.length) byAction.set(action, kept);
      }
      if (byAction.size === 0) this.rows.delete(experiment);
    }
    this.pruneAt = this.size + PRUNE_EVERY;
  }
}
