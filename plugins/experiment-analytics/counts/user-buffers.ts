/**
 * A user's keyed state in `experiment_user_counts`: the first triggers and the actions it
 * buffers, as the interval join of the flagship did, and the user's pair counts.
 *
 * Each side is sorted by event time (equal times in arrival order) and held in two plain
 * arrays: the times (unboxed doubles, 8 bytes a record) and the records' other slots,
 * interleaved with a fixed stride:
 *
 * - triggers, stride 3: the trigger row (`first_trigger`'s output, kept as it came), its
 *   provenance, and the user's pair counts of that trigger by action (`{click: 3}`,
 *   undefined until its first pair);
 * - actions, stride 2: the action's name and its provenance (nothing else of it is read).
 *
 * The counts live on the trigger: a counts row is (experiment, epoch, segment, group,
 * action), and `first_trigger` emits one trigger per (user, experiment, epoch), which fixes
 * the segment and the group, so a user's count of a row is its trigger's count of the
 * action. They are dropped with the trigger, when no pair of it can come any more.
 *
 * A small side is copied into arrays of the exact new length on insert (growing by `push`
 * reserves spare slots, which would cost more than the records when a user buffers one
 * or two); a side of `SMALL` records or more grows in place. A user with both sides
 * buffered is five heap objects beyond the records themselves. Plain objects and arrays
 * only: the state is checkpointed (v8-serialised) as it is.
 */
import type { ProvenanceRef, Row } from 'sluice/api';

export interface UserBuffers {
  tt: number[] | undefined;
  tv: unknown[] | undefined;
  at: number[] | undefined;
  av: unknown[] | undefined;
}

export const TRIGGER_STRIDE = 3;
export const ACTION_STRIDE = 2;

/** Pair counts of one trigger, by action. */
export type TriggerCounts = Record<string, number>;

export const emptyBuffers = (): UserBuffers => ({ tt: undefined, tv: undefined, at: undefined, av: undefined });

export const triggerAt = (tv: readonly unknown[], i: number): Row => tv[TRIGGER_STRIDE * i] as Row;
export const triggerProvenanceAt = (tv: readonly unknown[], i: number): ProvenanceRef => tv[TRIGGER_STRIDE * i + 1] as ProvenanceRef;
export const actionAt = (av: readonly unknown[], i: number): unknown => av[ACTION_STRIDE * i];
export const actionProvenanceAt = (av: readonly unknown[], i: number): ProvenanceRef => av[ACTION_STRIDE * i + 1] as ProvenanceRef;

/** First index whose time is ≥ `t`. */
export function lowerBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose time is > `t`. */
export function upperBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const SMALL = 8;

/**
 * Inserts a record into a side of `buffers` (triggers when `stride` is 3: slots `a`, `b`,
 * `c`; actions: `a`, `b`) after every record with time ≤ `t`.
 */
function insertSorted(buffers: UserBuffers, stride: number, t: number, a: unknown, b: unknown, c: unknown): void {
  const triggers = stride === TRIGGER_STRIDE;
  const times = triggers ? buffers.tt : buffers.at;
  const vals = triggers ? buffers.tv : buffers.av;
  const n = times === undefined ? 0 : times.length;
  const at = n === 0 || times![n - 1]! <= t ? n : upperBound(times!, t);
  if (n >= SMALL) {
    if (at === n) {
      times!.push(t);
      if (triggers) vals!.push(a, b, c);
      else vals!.push(a, b);
    } else {
      times!.splice(at, 0, t);
      if (triggers) vals!.splice(stride * at, 0, a, b, c);
      else vals!.splice(stride * at, 0, a, b);
    }
    return;
  }
  const nt = new Array<number>(n + 1);
  const nv = new Array<unknown>(stride * (n + 1));
  for (let i = 0, j = 0; i <= n; i++) {
    if (i === at) {
      nt[i] = t;
      nv[stride * i] = a;
      nv[stride * i + 1] = b;
      if (triggers) nv[stride * i + 2] = c;
    } else {
      nt[i] = times![j]!;
      for (let k = 0; k < stride; k++) nv[stride * i + k] = vals![stride * j + k];
      j++;
    }
  }
  if (triggers) {
    buffers.tt = nt;
    buffers.tv = nv;
  } else {
    buffers.at = nt;
    buffers.av = nv;
  }
}

export function insertTrigger(b: UserBuffers, t: number, row: Row, provenance: ProvenanceRef, counts: TriggerCounts | undefined): void {
  insertSorted(b, TRIGGER_STRIDE, t, row, provenance, counts);
}

export function insertAction(b: UserBuffers, t: number, action: string, provenance: ProvenanceRef): void {
  insertSorted(b, ACTION_STRIDE, t, action, provenance, undefined);
}

/** Removes the records with time ≤ `bound` from a side (its first ones); returns how many. */
export function dropThrough(times: number[] | undefined, vals: unknown[] | undefined, stride: number, bound: number): number {
  if (times === undefined || times.length === 0) return 0;
  const n = upperBound(times, bound);
  if (n > 0) {
    times.splice(0, n);
    vals!.splice(0, stride * n);
  }
  return n;
}
