/**
 * A user's keyed state in `experiment_user_counts`: the first triggers and the actions it
 * buffers, as the interval join of the flagship did, and the user's pair counts.
 *
 * Each side is sorted by event time (equal times in arrival order) and held in two plain
 * arrays: the times (unboxed doubles, 8 bytes a record) and the records' other slots,
 * interleaved with a fixed stride:
 *
 * - triggers, stride 4: the trigger row (`first_trigger`'s output, kept as it came), its
 *   provenance, the user's pair counts of that trigger by action (`{click: 3}`, undefined
 *   until its first pair), and its experiment's tracked actions (the row's `actions`);
 *   beside the times, the epoch ends (`te`, doubles): an action tests a trigger's epoch end
 *   and tracked actions without loading its row, which only a counted pair reads;
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
 * buffered is six arrays and this object beyond the records themselves. Plain objects and arrays
 * only: the state is checkpointed (v8-serialised) as it is.
 */
import type { ProvenanceRef, Row } from 'sluice/api';

export interface UserBuffers {
  tt: number[] | undefined;
  te: number[] | undefined;
  tv: unknown[] | undefined;
  at: number[] | undefined;
  av: unknown[] | undefined;
}

export const TRIGGER_STRIDE = 4;
export const ACTION_STRIDE = 2;

/** Pair counts of one trigger, by action. */
export type TriggerCounts = Record<string, number>;

export const emptyBuffers = (): UserBuffers => ({ tt: undefined, te: undefined, tv: undefined, at: undefined, av: undefined });

export const triggerAt = (tv: readonly unknown[], i: number): Row => tv[TRIGGER_STRIDE * i] as Row;
export const triggerProvenanceAt = (tv: readonly unknown[], i: number): ProvenanceRef => tv[TRIGGER_STRIDE * i + 1] as ProvenanceRef;
/** Index in `tv` of trigger `i`'s counts. */
export const countsSlot = (i: number): number => TRIGGER_STRIDE * i + 2;
export const trackedAt = (tv: readonly unknown[], i: number): object => tv[TRIGGER_STRIDE * i + 3] as object;
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
 * Inserts a trigger (`e` its epoch end, slots `a`, `b`, `c`, `d`) or an action (`e` unused,
 * slots `a`, `b`) after every record of its side with time ≤ `t`.
 */
function insertSorted(buffers: UserBuffers, triggers: boolean, t: number, e: number, a: unknown, b: unknown, c: unknown, d: unknown): void {
  const stride = triggers ? TRIGGER_STRIDE : ACTION_STRIDE;
  const times = triggers ? buffers.tt : buffers.at;
  const vals = triggers ? buffers.tv : buffers.av;
  const n = times === undefined ? 0 : times.length;
  const at = n === 0 || times![n - 1]! <= t ? n : upperBound(times!, t);
  if (n >= SMALL) {
    times!.splice(at, 0, t);
    if (triggers) {
      buffers.te!.splice(at, 0, e);
      vals!.splice(stride * at, 0, a, b, c, d);
    } else vals!.splice(stride * at, 0, a, b);
    return;
  }
  const nt = new Array<number>(n + 1);
  const ne = triggers ? new Array<number>(n + 1) : undefined;
  const nv = new Array<unknown>(stride * (n + 1));
  for (let i = 0, j = 0; i <= n; i++) {
    if (i === at) {
      nt[i] = t;
      nv[stride * i] = a;
      nv[stride * i + 1] = b;
      if (ne !== undefined) {
        ne[i] = e;
        nv[stride * i + 2] = c;
        nv[stride * i + 3] = d;
      }
    } else {
      nt[i] = times![j]!;
      if (ne !== undefined) ne[i] = buffers.te![j]!;
      for (let k = 0; k < stride; k++) nv[stride * i + k] = vals![stride * j + k];
      j++;
    }
  }
  if (triggers) {
    buffers.tt = nt;
    buffers.te = ne;
    buffers.tv = nv;
  } else {
    buffers.at = nt;
    buffers.av = nv;
  }
}

export function insertTrigger(b: UserBuffers, t: number, row: Row, provenance: ProvenanceRef, counts: TriggerCounts | undefined): void {
  insertSorted(b, true, t, row.epoch_end as number, row, provenance, counts, row.actions);
}

export function insertAction(b: UserBuffers, t: number, action: string, provenance: ProvenanceRef): void {
  insertSorted(b, false, t, 0, action, provenance, undefined, undefined);
}

/** Removes the triggers with time ≤ `bound` (the first ones); returns how many. */
export function dropTriggersThrough(b: UserBuffers, bound: number): number {
  const n = dropThrough(b.tt, b.tv, TRIGGER_STRIDE, bound);
  if (n > 0) b.te!.splice(0, n);
  if (b.tt?.length === 0) b.tt = b.te = b.tv = undefined;
  return n;
}

/** Removes the actions with time ≤ `bound` (the first ones); returns how many. */
export function dropActionsThrough(b: UserBuffers, bound: number): number {
  const n = dropThrough(b.at, b.av, ACTION_STRIDE, bound);
  if (b.at?.length === 0) b.at = b.av = undefined;
  return n;
}

function dropThrough(times: number[] | undefined, vals: unknown[] | undefined, stride: number, bound: number): number {
  if (times === undefined || times.length === 0) return 0;
  const n = upperBound(times, bound);
  if (n > 0) {
    times.splice(0, n);
    vals!.splice(0, stride * n);
  }
  return n;
}
