/**
 * Delivery order. Logical event e happens at `time(e)` and is delivered at
 * `time(e) + delay(e, copy)`, where the delay is drawn per copy: mostly within
 * `out_of_order`, a `delayed_share` up to `delayed_max`, a `late_share` between `late_min`
 * and `late_max`. A duplicated activation has a second copy. Metadata versions are
 * delivered at their publish time.
 *
 * The stream is cut into blocks of delivery time; block b holds every delivery in
 * [start + b·W, start + (b+1)·W), sorted by (delivery time, metadata first, event, copy).
 * A block is a pure function of (config, b), so a position is (block, index in block).
 */
import { unit } from './hash.ts';
import { S } from './plan.ts';
import type { Plans } from './plan.ts';
import type { EventModel } from './events.ts';
import { versionsPublishedIn } from './metadata.ts';
import type { VersionRef } from './metadata.ts';
import type { TrafficConfig } from './spec.ts';

/** Logical events per block of delivery time. */
export const BLOCK_EVENTS = 8192;

/** One block: deliveries in order. `event[i] ≥ 0` is an event copy, else `-1 − v` is versions[v]. */
export interface Block {
  readonly index: number;
  readonly event: Float64Array;
  readonly copy: Uint8Array;
  readonly at: Float64Array;
  readonly versions: readonly VersionRef[];
  readonly length: number;
}

export function delayOf(c: TrafficConfig, e: number, copy: number): number {
  const r = unit(c.seed, S.delayClass + copy, e);
  const u = unit(c.seed, S.delay + copy, e);
  if (r < c.late_share) return c.late_min + u * Math.max(0, c.late_max - c.late_min);
  if (r < c.late_share + c.delayed_share) return c.out_of_order + u * Math.max(0, c.delayed_max - c.out_of_order);
  return u * c.out_of_order;
}

export function copiesOf(c: TrafficConfig, model: EventModel, e: number): number {
  return c.duplicate_share > 0 && model.isActivation(e) && unit(c.seed, S.dup, e) < c.duplicate_share ? 2 : 1;
}

export function maxDelay(c: TrafficConfig): number {
  return Math.max(c.out_of_order, c.delayed_share > 0 ? c.delayed_max : 0, c.late_share > 0 ? c.late_max : 0);
}

/** Whether draw class `r` gives a delay longer than `out_of_order` (delayed or late). */
const isLong = (c: TrafficConfig, r: number) => r < c.late_share + c.delayed_share;

export function buildBlock(c: TrafficConfig, plans: Plans, model: EventModel, b: number): Block {
  const width = BLOCK_EVENTS * c.event_interval;
  const from = c.start + b * width;
  const to = from + width;
  const versions = versionsPublishedIn(plans, c, b === 0 ? -Infinity : from, to);
  const at: number[] = [];
  // Rank: metadata first (by version), then events by (e, copy); ties in time keep rank order.
  const rank: number[] = [];
  versions.forEach((v, i) => {
    at.push(Math.max(v.publish, c.start));
    rank.push(i);
  });
  const eFrom = Math.max(0, Math.floor((from - maxDelay(c) - c.start) / c.event_interval) - 1);
  const shortFrom = from - c.out_of_order;
  const m = versions.length;
  let e = eFrom;
  for (; ; e++) {
    const t = model.time(e);
    if (t >= to) break;
    // Far behind the block only a long delay can land in it: test the cheap class draw first.
    const far = t < shortFrom;
    for (let k = 0; k < 2; k++) {
      if (far && !isLong(c, unit(c.seed, S.delayClass + k, e))) continue;
      if (k === 1 && copiesOf(c, model, e) < 2) continue;
      const d = t + Math.floor(delayOf(c, e, k));
      if (d >= from && d < to) {
        at.push(d);
        rank.push(m + (e - eFrom) * 2 + k);
      }
    }
  }
  const sorted = sortByTimeThenRank(at, rank, from, m + (e - eFrom) * 2 + 2, width);
  const n = sorted.at.length;
  const event = new Float64Array(n);
  const copy = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    const r = sorted.rank[j]!;
    event[j] = r < m ? -1 - r : eFrom + Math.floor((r - m) / 2);
    copy[j] = r < m ? 0 : (r - m) % 2;
  }
  return { index: b, event, copy, at: sorted.at, versions, length: n };
}

/**
 * Deliveries sorted by (time, rank); ranks are unique. One exact numeric key per delivery,
 * `(time − from)·R + rank`, sorted natively while it stays below 2^53; else a comparator.
 */
function sortByTimeThenRank(at: readonly number[], rank: readonly number[], from: number, R: number, width: number): { at: Float64Array; rank: Float64Array } {
  const n = at.length;
  const outAt = new Float64Array(n);
  const outRank = new Float64Array(n);
  if ((width + 1) * R < Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = (at[i]! - from) * R + rank[i]!;
    keys.sort();
    for (let j = 0; j < n; j++) {
      const r = keys[j]! % R;
      outRank[j] = r;
      outAt[j] = from + (keys[j]! - r) / R;
    }
    return { at: outAt, rank: outRank };
  }
  const order = Array.from(at.keys()).sort((x, y) => at[x]! - at[y]! || rank[x]! - rank[y]!);
  order.forEach((i, j) => {
    outAt[j] = at[i]!;
    outRank[j] = rank[i]!;
  });
  return { at: outAt, rank: outRank };
}
