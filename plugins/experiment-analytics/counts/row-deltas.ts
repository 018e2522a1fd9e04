/**
 * The rows of `experiment_counts` one `experiment_user_counts` instance has seen, each with
 * its change in the current batch. A row — (experiment, epoch, segment, group, action) —
 * is found by experiment, then action, then a short scan over epoch, segment and group,
 * with no string built per lookup; its `row_key` string is built once.
 *
 * Not checkpointed: the deltas are emptied at the end of every batch (`take`), and the
 * rows are a cache, pruned once their epoch has passed the allowed lateness.
 */
import type { Provenance, ProvenanceRef } from 'sluice/api';
import { EPOCH_MS, countsRowKey } from '../model/index.ts';

/** A pair's provenance: its trigger's and its action's (as the interval join gave it). */
export function pairProvenance(a: ProvenanceRef, b: ProvenanceRef): ProvenanceRef {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (!Array.isArray(a) && !Array.isArray(b)) return [a as Provenance, b as Provenance];
  const out: Provenance[] = [];
  for (const p of [a, b]) {
    if (Array.isArray(p)) out.push(...(p as readonly Provenance[]));
    else out.push(p as Provenance);
  }
  return out;
}

/** One counts row and its change in the current batch. */
export interface RowDelta {
  readonly experiment_id: string;
  readonly epoch_start: number;
  readonly segment: number;
  readonly group: string;
  readonly action: string;
  readonly row_key: string;
  volume: number;
  propensity: number;
  sum_sq: number;
  /** Event time of the row's last pair in the batch. */
  time: number;
  /** Provenance of the last pair's trigger and action (the pair's is both, `pairProvenance`). */
  triggerProvenance: ProvenanceRef;
  actionProvenance: ProvenanceRef;
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

  /** The row of (experiment, epoch, segment, group, action). */
  rowOf(experiment: string, epoch_start: number, segment: number, group: string, action: string): RowDelta {
    let byAction = this.rows.get(experiment);
    if (byAction === undefined) this.rows.set(experiment, (byAction = new Map()));
    let list = byAction.get(action);
    if (list === undefined) byAction.set(action, (list = []));
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!;
      if (r.epoch_start === epoch_start && r.group === group && r.segment === segment) return r;
    }
    const row: RowDelta = {
      experiment_id: experiment, epoch_start, segment, group, action, row_key: countsRowKey(experiment, epoch_start, segment, action, group),
      volume: 0, propensity: 0, sum_sq: 0, time: 0, triggerProvenance: undefined, actionProvenance: undefined, changed: false,
    };
    list.push(row);
    this.size++;
    return row;
  }

  /** Adds one pair, the user's `before`-th of the row, at `time`. */
  add(row: RowDelta, before: number, time: number, triggerProvenance: ProvenanceRef, actionProvenance: ProvenanceRef): void {
    if (!row.changed) {
      row.changed = true;
      this.order.push(row);
    }
    row.volume++;
    row.sum_sq += 2 * before + 1;
    if (before === 0) row.propensity++;
    row.time = time;
    row.triggerProvenance = triggerProvenance;
    row.actionProvenance = actionProvenance;
  }

  /** The rows changed since the last call, in order of first change; their deltas are reset after `visit`. */
  take(visit: (row: RowDelta) => void): void {
    for (const row of this.order) {
      visit(row);
      row.changed = false;
      row.volume = 0;
      row.propensity = 0;
      row.sum_sq = 0;
      row.triggerProvenance = undefined;
      row.actionProvenance = undefined;
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
