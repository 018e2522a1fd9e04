/**
 * `experiment_user_counts`: the local half of the flagship's counts (local-global
 * aggregation, as Flink's two-phase aggregation), with the join of actions to first
 * triggers done in place: a keyed function run by `keyed_process` keyed by `user_id`, on
 * two inputs, 0 = first triggers (`first_trigger`'s rows), 1 = actions
 * (`{user_id, action, ts, …}`), before the repartition by experiment.
 *
 * The join is the interval join the flagship ran before (`interval_join`, lower 0, upper
 * 3 days, both ends inclusive, the same allowed lateness, `where: right.ts < left.epoch_end
 * && right.action in left.actions`): an action at t pairs with each buffered trigger at
 * l ≤ t ≤ l + 3 days whose epoch ends after t and whose experiment tracks the action; a
 * trigger pairs with the buffered actions the same way. A pair is not a record: it adds 1
 * to its trigger's count c of the action (`user-buffers.ts`), so its counts row changes by
 * volume +1, sum_sq +(2c + 1), propensity +1 when c was 0. Pairs the condition rejects are
 * counted (`filtered`), as the join counted them.
 *
 * Within a batch the changes of each row are summed across users (`row-deltas.ts`), and
 * at the batch's end (`finishBatch`) one delta record per changed row goes out, in the
 * order the rows were first changed:
 *
 *   {experiment_id, epoch_start, segment, group, action, volume, propensity, sum_sq}
 *
 * at the event time (max of the two) and with the provenance (trigger's and action's) of
 * the row's last pair in the batch: what the join's pair records, counted one by one, left
 * behind. `experiment_counts` (input 0) adds the deltas.
 *
 * Lateness and clean-up as the join: an input with ts < W − allowed_lateness is late,
 * reason `join_late` (`keyed_process` sends it, before this function sees it); a trigger
 * is buffered until W > ts + 3 days + allowed lateness, an action until W > ts + allowed
 * lateness (neither can pair with anything still to come after that), and a record already
 * past that bound when it arrives pairs with the buffered ones and is not kept. One event-time
 * timer per user, at the earliest clean-up time of its buffers. There is no bound on the
 * buffered records (the join's `max_buffered_per_side`): triggers are bounded by the users
 * triggered in 3 days, actions by those of the allowed lateness.
 *
 * An action whose `action` is not a string or whose `ts` is not a number is dead-lettered
 * (`invalid_action`). The condition compares the action's event time with the epoch end:
 * the flagship's sources take event time from `ts`.
 */
import { RecordError, defineKeyedFunction, state } from 'sluice/api';
import type { KeyedProcessContext, ProvenanceRef, Row } from 'sluice/api';
import { RowDeltas, pairProvenance } from './row-deltas.ts';
import { EPOCH_MS } from '../model/index.ts';
import { allowedLateness, experimentCountsOptions } from './spec.ts';
import type { ExperimentCountsOptions } from './spec.ts';
import {
  actionAt, actionProvenanceAt, countsSlot, dropActionsThrough, dropTriggersThrough, emptyBuffers, insertAction, insertTrigger,
  lowerBound, trackedAt, triggerAt, triggerProvenanceAt, upperBound,
} from './user-buffers.ts';
import type { TriggerCounts, UserBuffers } from './user-buffers.ts';

export type { UserBuffers } from './user-buffers.ts';

/** The join window: an action pairs with triggers at most this long before it. */
const UPPER = EPOCH_MS;

const hasOwn = Object.prototype.hasOwnProperty;

/** One operator instance's work on the current batch. */
interface BatchScratch {
  readonly rows: RowDeltas;
  /** Pairs the condition rejected in the batch. */
  filtered: number;
  /** `options.allowed_lateness` in ms. */
  readonly lateness: number;
}

/** Keyed by the instance's state handles. */
const scratches = new WeakMap<object, BatchScratch>();

/** The current batch's instance (state handles) and scratch: saves a WeakMap lookup per element; let go at the batch's end. */
let lastState: object | undefined;
let lastScratch: BatchScratch | undefined;

function scratchOf(ctx: KeyedProcessContext): BatchScratch {
  if (ctx.state === lastState) return lastScratch!;
  let s = scratches.get(ctx.state);
  if (s === undefined) scratches.set(ctx.state, (s = { rows: new RowDeltas(), filtered: 0, lateness: allowedLateness(ctx.options as ExperimentCountsOptions, 'experiment_user_counts') }));
  lastState = ctx.state;
  lastScratch = s;
  return s;
}


/** Counts one pair; returns the trigger's counts (created on its first pair). */
function countPair(s: BatchScratch, trigger: Row, counts: TriggerCounts | undefined, tp: ProvenanceRef, action: string, ap: ProvenanceRef, time: number): TriggerCounts {
  const row = s.rows.rowOf(trigger.experiment_id as string, trigger.epoch_start as number, trigger.segment as number, trigger.group as string, action);
  counts ??= {};
  const c = counts[action] ?? 0;
  counts[action] = c + 1;
  s.rows.add(row, c, time, tp, ap);
  return counts;
}

/** Cleanup time of a trigger (`true`) or an action at `t`: 1 ms after the last watermark at which it can still pair. */
const cleanupAt = (trigger: boolean, t: number, lateness: number) => (trigger ? t + UPPER : t) + lateness + 1;

/** Earliest cleanup time of a user's buffers (+∞ when empty). */
function earliest(b: UserBuffers, lateness: number): number {
  const l = b.tt !== undefined && b.tt.length ? cleanupAt(true, b.tt[0]!, lateness) : Infinity;
  const r = b.at !== undefined && b.at.length ? cleanupAt(false, b.at[0]!, lateness) : Infinity;
  return l < r ? l : r;
}

/** A trigger at `t`: pairs with the buffered actions in [t, t + 3 days]; returns its counts. */
function triggerArrives(s: BatchScratch, b: UserBuffers | undefined, trigger: Row, t: number, tp: ProvenanceRef): TriggerCounts | undefined {
  let counts: TriggerCounts | undefined;
  const at = b?.at;
  if (at === undefined || at.length === 0) return counts;
  const av = b!.av!;
  const end = upperBound(at, t + UPPER);
  for (let j = lowerBound(at, t); j < end; j++) {
    const action = actionAt(av, j) as string;
    const rt = at[j]!;
    // the condition: the action is before the epoch's end and tracked by the experiment
    if (rt < (trigger.epoch_end as number) && hasOwn.call(trigger.actions, action)) counts = countPair(s, trigger, counts, tp, action, actionProvenanceAt(av, j), rt > t ? rt : t);
    else s.filtered++;
  }
  return counts;
}

/** An action at `t`: pairs with the buffered triggers in [t − 3 days, t]. */
function actionArrives(s: BatchScratch, b: UserBuffers | undefined, action: string, t: number, ap: ProvenanceRef): void {
  const tt = b?.tt;
  if (tt === undefined || tt.length === 0) return;
  const te = b!.te!;
  const tv = b!.tv!;
  const end = upperBound(tt, t);
  for (let j = lowerBound(tt, t - UPPER); j < end; j++) {
    // the condition: the action is before the epoch's end and tracked by the experiment
    if (!(t < te[j]! && hasOwn.call(trackedAt(tv, j), action))) {
      s.filtered++;
      continue;
    }
    const lt = tt[j]!;
    const slot = countsSlot(j);
    tv[slot] = countPair(s, triggerAt(tv, j), tv[slot] as TriggerCounts | undefined, triggerProvenanceAt(tv, j), action, ap, lt > t ? lt : t);
  }
}

export const experimentUserCounts = defineKeyedFunction({
  name: 'experiment_user_counts',
  summary: "Joins each user's actions to their first triggers in place (3 days, tracked actions, before the epoch's end) and sends experiment_counts one delta per changed counts row per batch.",
  description:
    'Keyed by `user_id`; input 0: first triggers (`first_trigger`), input 1: actions. Buffers both as an `interval_join` of ' +
    '[0, 3d] with `where: right.ts < left.epoch_end && right.action in left.actions` would, and counts each pair against ' +
    'its trigger in place instead of emitting it. At the end of each batch, one record per changed counts row: ' +
    '`{experiment_id, epoch_start, segment, group, action, volume, propensity, sum_sq}` (deltas), at the time and with ' +
    "the provenance of the row's last pair. Late inputs (ts < watermark − the block's `allowed_lateness`) go to the late " +
    'output with reason `join_late`; set `options.allowed_lateness` to the same value (it bounds the buffers). Rejected pairs are counted as `filtered`.',
  spec: experimentCountsOptions,
  lateReason: 'join_late',
  state: () => ({ buffers: state.value<UserBuffers>() }),
  output: () => ({
    fields: { experiment_id: 'string', epoch_start: 'int', segment: 'int', group: 'string', action: 'string', volume: 'int', propensity: 'int', sum_sq: 'int' },
  }),
  processElement(value: Row, ctx) {
    const s = scratchOf(ctx);
    const lateness = s.lateness;
    const t = ctx.timestamp;
    const p = ctx.provenance;
    const trigger = ctx.input === 0;
    let b = ctx.state.buffers.get();
    let counts: TriggerCounts | undefined;
    if (trigger) counts = triggerArrives(s, b, value, t, p);
    else {
      const action = value.action;
      if (typeof action !== 'string' || typeof value.ts !== 'number') throw new RecordError('invalid_action', 'an action needs a string `action` and a number `ts`');
      actionArrives(s, b, action, t, p);
    }
    const cleanup = cleanupAt(trigger, t, lateness);
    if (cleanup <= ctx.watermark) {
      if (b !== undefined && !trigger) ctx.state.buffers.set(b); // its triggers' counts changed
      return; // can pair with nothing that is still to come
    }
    const before = b === undefined ? Infinity : earliest(b, lateness);
    b ??= emptyBuffers();
    if (trigger) insertTrigger(b, t, value, p, counts);
    else insertAction(b, t, value.action as string, p);
    ctx.state.buffers.set(b);
    if (cleanup < before) ctx.timers.registerEventTimeTimer(cleanup); // the user's new earliest
  },
  finishBatch(ctx) {
    const s = scratches.get(ctx.state);
    lastState = undefined;
    lastScratch = undefined;
    if (s === undefined) return;
    if (s.filtered > 0) ctx.count('filtered', s.filtered);
    s.filtered = 0;
    s.rows.take((r) =>
      ctx.emit(
        { experiment_id: r.experiment_id, epoch_start: r.epoch_start, segment: r.segment, group: r.group, action: r.action, volume: r.volume, propensity: r.propensity, sum_sq: r.sum_sq },
        r.time, 'insert', pairProvenance(r.triggerProvenance, r.actionProvenance),
      ),
    );
    s.rows.prune(ctx.watermark, s.lateness);
  },
  onTimer(_timestamp, ctx) {
    const b = ctx.state.buffers.get();
    if (b === undefined) return;
    const lateness = allowedLateness(ctx.options as ExperimentCountsOptions, 'experiment_user_counts');
    const bound = ctx.watermark;
    // cleanupAt(side, t) ≤ bound ⇔ t ≤ bound − cleanupAt(side, 0)
    const dropped = dropTriggersThrough(b, bound - cleanupAt(true, 0, lateness)) + dropActionsThrough(b, bound - cleanupAt(false, 0, lateness));
    const next = earliest(b, lateness);
    if (next === Infinity) {
      ctx.state.buffers.clear();
      return;
    }
    if (dropped > 0) ctx.state.buffers.set(b);
    ctx.timers.registerEventTimeTimer(next);
  },
});
