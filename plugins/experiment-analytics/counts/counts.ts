/**
 * `experiment_counts`: the flagship's counts (docs/architecture.md §8) as a keyed function run by
 * `keyed_process`, keyed by `[experiment_id, epoch_start, segment, group]`: the global half
 * of a local-global aggregation.
 *
 * Inputs: 0 = per-batch deltas of the rows from `experiment_user_counts` (user-keyed, before
 * the repartition: `{experiment_id, epoch_start, segment, group, action, volume,
 * propensity, sum_sq}`, the change of one action row by a batch of joined pairs), 1 = first
 * triggers. Per action of the key it keeps `volume`, `propensity` (users with ≥ 1) and
 * `sum_sq` (Σ per-user count²) as the sums of their deltas; per key the triggered users —
 * all of a key in one state entry, read and written once per element. Every change emits
 * the changed row of the upsert stream (contract §2, key `row_key`): `insert` the first
 * time, `update` after, at the event time of the element that caused it, with the
 * operator's watermark. A timer at epoch end + allowed lateness drops the key's state: no
 * element of the epoch that is not late can arrive after it, so state stays bounded.
 */
import { defineKeyedFunction, state } from 'sluice/api';
import type { Row } from 'sluice/api';
import { EPOCH_MS, TRIGGER_ACTION, countsRowKey } from '../model/index.ts';
import { allowedLateness, experimentCountsOptions } from './spec.ts';
import type { ExperimentCountsOptions } from './spec.ts';

/** Counts of one action row. */
export interface ActionCounts {
  volume: number;
  propensity: number;
  sum_sq: number;
  /** The row's `row_key`, built once. */
  readonly row_key: string;
}

/**
 * Everything one key (experiment, epoch, segment, group) holds, in one state entry: one
 * backend read and one write per element, whatever it updates.
 */
export interface KeyCounts {
  /** Triggered users; undefined until the first trigger. */
  triggered: number | undefined;
  readonly trigger_row_key: string;
  readonly actions: Map<string, ActionCounts>;
}

/** The upsert stream's key and fields (contract §2). */
export const COUNTS_FIELDS = ['row_key', 'experiment_id', 'epoch_start', 'segment', 'action', 'group', 'volume', 'propensity', 'triggered', 'sum_sq', 'watermark_ms'] as const;

export const experimentCounts = defineKeyedFunction({
  name: 'experiment_counts',
  summary: 'Counts volume, propensity, sum_sq per action and triggered users per (experiment, epoch, segment, group), as an upsert stream.',
  spec: experimentCountsOptions,
  state: () => ({ counts: state.value<KeyCounts>() }),
  output: () => ({
    changelog: { mode: 'upsert', key: ['row_key'] },
    fields: {
      row_key: 'string', experiment_id: 'string', epoch_start: 'int', segment: 'int', action: 'string', group: 'string',
      volume: 'dyn', propensity: 'dyn', triggered: 'dyn', sum_sq: 'dyn', watermark_ms: 'dyn',
    },
  }),
  processElement(value: Row, ctx) {
    const experiment = value.experiment_id as string;
    const epochStart = value.epoch_start as number;
    const segment = value.segment as number;
    const group = value.group as string;
    let counts = ctx.state.counts.get();
    if (counts === undefined) {
      counts = { triggered: undefined, trigger_row_key: countsRowKey(experiment, epochStart, segment, TRIGGER_ACTION, group), actions: new Map() };
      ctx.timers.registerEventTimeTimer(epochStart + EPOCH_MS + allowedLateness(ctx.options as ExperimentCountsOptions, 'experiment_counts'));
    }
    const wm = ctx.watermark;
    const watermark = Number.isFinite(wm) ? wm : null;
    if (ctx.input === 1) {
      const before = counts.triggered;
      counts.triggered = (before ?? 0) + 1;
      ctx.state.counts.set(counts);
      ctx.emit(
        {
          row_key: counts.trigger_row_key, experiment_id: experiment, epoch_start: epochStart, segment,
          action: TRIGGER_ACTION, group, volume: null, propensity: null, triggered: counts.triggered, sum_sq: null, watermark_ms: watermark,
        },
        ctx.timestamp, before === undefined ? 'insert' : 'update',
      );
      return;
    }
    const action = value.action as string;
    let row = counts.actions.get(action);
    const kind = row === undefined ? 'insert' : 'update';
    if (row === undefined) {
      row = { volume: 0, propensity: 0, sum_sq: 0, row_key: countsRowKey(experiment, epochStart, segment, action, group) };
      counts.actions.set(action, row);
    }
    row.volume += value.volume as number;
    row.propensity += value.propensity as number;
    row.sum_sq += value.sum_sq as number;
    ctx.state.counts.set(counts);
    ctx.emit(
      {
        row_key: row.row_key, experiment_id: experiment, epoch_start: epochStart, segment,
        action, group, volume: row.volume, propensity: row.propensity, triggered: null, sum_sq: row.sum_sq, watermark_ms: watermark,
      },
      ctx.timestamp, kind,
    );
  },
  onTimer(_timestamp, ctx) {
    ctx.state.counts.clear();
  },
});
