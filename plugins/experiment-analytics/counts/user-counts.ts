/**
 * `experiment_user_counts`: the local half of the flagship's counts (local-global
 * aggregation, as Flink's two-phase aggregation), a keyed function run by `keyed_process`
 * keyed by `user_id`, on the join's pairs (`{experiment_id, epoch_start, segment, group,
 * user_id, action}`), before the repartition by experiment.
 *
 * Per user, state holds how many pairs the user has of each (experiment, epoch, segment,
 * group, action) row — the per-user counts `experiment_counts` needs for `propensity`
 * (users with ≥ 1) and `sum_sq` (Σ per-user count²). Each pair adds 1 to its user's count
 * c, so its row changes by volume +1, sum_sq +(2c + 1), propensity +1 when c was 0. Within
 * a batch the changes of each row are summed across users, and at the batch's end one
 * delta record per changed row goes out, in the order the rows were first changed:
 *
 *   {experiment_id, epoch_start, segment, group, action, volume, propensity, sum_sq}
 *
 * at the event time and with the provenance of the row's last pair in the batch — what
 * the counts' upsert row would have carried after that pair, so the compacted counts
 * stream downstream is the same as when the counts took the pairs one by one. The counts
 * operator (`experiment_counts`, input 0) adds the deltas. A timer at epoch end + allowed
 * lateness drops a user's rows of that epoch.
 */
import { defineKeyedFunction, state } from 'sluice/api';
import type { KeyedProcessContext, Row } from 'sluice/api';
import { RowDeltas } from './row-deltas.ts';
import { EPOCH_MS } from '../model/index.ts';
import { allowedLateness, experimentCountsOptions } from './spec.ts';
import type { ExperimentCountsOptions } from './spec.ts';

/**
 * A user's pair counts by row: keys are `user_key` (the epoch start in 13 digits, `|`, the
 * counts row's `row_key`), so a timer finds a key's epoch without a lookup. A flat plain
 * object of numbers: a checkpoint taken while it changes copies it shallowly.
 */
export type UserRowCounts = Record<string, number>;

/**
 * One operator instance's work on the current batch: the rows and their deltas, and the
 * last key's counts (a join emits a user's pairs one after another, so consecutive
 * elements often share the key: it is read once per run of them).
 */
interface BatchScratch {
  readonly rows: RowDeltas;
  key: string | undefined;
  counts: UserRowCounts | undefined;
}

/** Keyed by the instance's state handles. */
const scratches = new WeakMap<object, BatchScratch>();

/** The current batch's instance (state handles) and scratch: saves a WeakMap lookup per element; let go at the batch's end. */
let lastState: object | undefined;
let lastScratch: BatchScratch | undefined;

function scratchOf(ctx: KeyedProcessContext): BatchScratch {
  if (ctx.state === lastState) return lastScratch!;
  let s = scratches.get(ctx.state);
  if (s === undefined) scratches.set(ctx.state, (s = { rows: new RowDeltas(), key: undefined, counts: undefined }));
  lastState = ctx.state;
  lastScratch = s;
  return s;
}

/** The delta record's fields (the counts' input 0). */
export const USER_COUNTS_FIELDS = ['experiment_id', 'epoch_start', 'segment', 'group', 'action', 'volume', 'propensity', 'sum_sq'] as const;

export const experimentUserCounts = defineKeyedFunction({
  name: 'experiment_user_counts',
  summary: "Counts each user's pairs per counts row and sends experiment_counts one delta per changed row per batch (local aggregation).",
  spec: experimentCountsOptions,
  state: () => ({ counts: state.value<UserRowCounts>() }),
  output: () => ({
    fields: { experiment_id: 'string', epoch_start: 'int', segment: 'int', group: 'string', action: 'string', volume: 'int', propensity: 'int', sum_sq: 'int' },
  }),
  processElement(value: Row, ctx) {
    const s = scratchOf(ctx);
    let counts = s.key === ctx.key ? s.counts : ctx.state.counts.get();
    const row = s.rows.rowOf(value);
    const c = counts?.[row.user_key] ?? 0;
    if (c === 0) {
      // A user's first pair of a row; the queue keeps one timer per (user, time).
      ctx.timers.registerEventTimeTimer(row.epoch_start + EPOCH_MS + allowedLateness(ctx.options as ExperimentCountsOptions, 'experiment_user_counts'));
    }
    (counts ??= {})[row.user_key] = c + 1;
    ctx.state.counts.set(counts!);
    s.key = ctx.key;
    s.counts = counts;
    s.rows.add(row, c, ctx.timestamp, ctx.provenance);
  },
  finishBatch(ctx) {
    const s = scratches.get(ctx.state);
    lastState = undefined;
    lastScratch = undefined;
    if (s === undefined) return;
    s.key = undefined;
    s.counts = undefined;
    s.rows.take((r) =>
      ctx.emit(
        { experiment_id: r.experiment_id, epoch_start: r.epoch_start, segment: r.segment, group: r.group, action: r.action, volume: r.volume, propensity: r.propensity, sum_sq: r.sum_sq },
        r.time, 'insert', r.provenance,
      ),
    );
    s.rows.prune(ctx.watermark, allowedLateness(ctx.options as ExperimentCountsOptions, 'experiment_user_counts'));
  },
  onTimer(timestamp, ctx) {
    const counts = ctx.state.counts.get();
    if (counts === undefined) return;
    const lateness = allowedLateness(ctx.options as ExperimentCountsOptions, 'experiment_user_counts');
    let left = 0;
    for (const k in counts) {
      if (Number(k.slice(0, 13)) + EPOCH_MS + lateness <= timestamp) delete counts[k];
      else left++;
    }
    if (left === 0) ctx.state.counts.clear();
    else ctx.state.counts.set(counts);
  },
});
