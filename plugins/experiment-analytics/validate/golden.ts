/**
 * A hand-made run (test data): one experiment with a launch, a ramp inside the first epoch
 * and a re-ramp after it, and the cases the counts must get right — a duplicate, a repeated
 * trigger, a group conflict, an untracked trigger, a late activation and action, an unknown
 * experiment, actions before a trigger, at its exact time, at the epoch's end, and of an
 * untracked action. The expected rows are worked out by hand in `GOLDEN_COUNTS`.
 */
import type { RunFixture } from './fixtures.ts';
import { provenance } from './fixtures.ts';

const H = 3_600_000;
const D = 24 * H;
export const L = 1_767_225_600_000;
const ramp = (ts: number, t: number) => ({ ts, weights: { control: 1 - t, treatment: t } });
const RAMPS = [ramp(L, 0.1), ramp(L + D, 0.5), ramp(L + 4 * D, 0.5)];
const meta = (j: number) => ({
  event_id: `m-${j}`, experiment_id: 'e1', groups: ['control', 'treatment'], control: 'control', weights: RAMPS[j]!.weights,
  alpha: 0.05, n_star: 2500, actions: { click: 'up_is_good', save: 'up_is_good' }, ramps: RAMPS.slice(0, j + 1),
  effective_from: RAMPS[j]!.ts, ts: RAMPS[j]!.ts - H,
});
const act = (id: string, user: string, group: string, ts: number, experiment = 'e1') => ({ record: { event_id: id, user_id: user, experiment_id: experiment, group, ts } });
const action = (id: string, user: string, name: string, ts: number) => ({ record: { event_id: id, user_id: user, action: name, ts } });

export const WATERMARK_AT_LATE = L + 3 * D;

export const GOLDEN_RUN = {
  archive: {
    metadata: [{ record: meta(0) }, { record: meta(1) }, { record: meta(2) }],
    activations: [
      act('a1', 'u1', 'control', L + H), // u1's first trigger, epoch L, segment 0
      act('a1', 'u1', 'control', L + H), // the same event delivered again: a duplicate
      act('a2', 'u1', 'control', L + 2 * H), // a repeated trigger: no new user
      act('a3', 'u2', 'treatment', L + D + H), // u2's first trigger, segment 1
      act('a4', 'u2', 'control', L + D + 2 * H), // another group for u2 in the epoch: a conflict
      act('a5', 'u3', 'treatment', L + 3 * D + H), // between the epoch's end and the re-ramp: untracked
      act('a6', 'u3', 'treatment', L + 4 * D + H), // epoch L + 4d, segment 0
      act('a8', 'u5', 'control', L + 4 * D + 2 * H, 'e9'), // no metadata: dead-lettered
      act('a7', 'u4', 'control', L + 2 * D), // declared late by the stream
      act('a9', 'u1', 'control', L + 55 * 60_000), // earlier than u1's emitted first trigger: superseded (late)
    ],
    actions: [
      action('x3', 'u1', 'save', L + H / 2), // before u1's trigger: not counted
      action('x1', 'u1', 'click', L + H + 5 * 60_000), // counted
      action('x2', 'u1', 'click', L + 2 * H), // counted
      action('x7', 'u1', 'hide', L + 3 * H), // not tracked by e1
      action('x4', 'u2', 'click', L + D + H), // at the trigger's exact time: counted (bounds inclusive)
      action('x5', 'u2', 'click', L + 3 * D), // at the epoch's end (exclusive): not counted
      action('x9', 'u3', 'click', L + 3 * D + 2 * H), // after an untracked trigger only: not counted
      action('x6', 'u3', 'click', L + 4 * D + 2 * H), // counted in the second epoch
      action('x8', 'u1', 'click', L + 2 * D), // declared late by the stream
    ],
  },
  late: [
    { operator: 'first_trigger', reason: 'late', watermark: WATERMARK_AT_LATE, event_time: L + 2 * D, record: act('a7', 'u4', 'control', L + 2 * D).record, provenance: provenance('activations', 8) },
    // Within the allowance (W − ts = 6 min), but u1's trigger at L + 1h was already emitted.
    { operator: 'first_trigger', reason: 'trigger_superseded', watermark: L + H + 60_000, event_time: L + 55 * 60_000, record: act('a9', 'u1', 'control', L + 55 * 60_000).record, provenance: provenance('activations', 9) },
    { operator: 'join', reason: 'join_bound_passed', watermark: WATERMARK_AT_LATE, event_time: L + 2 * D, record: action('x8', 'u1', 'click', L + 2 * D).record, provenance: provenance('actions', 8) },
  ],
  dead: [
    { operator: 'first_trigger', reason: 'unknown_experiment', error: 'no metadata for e9', record: act('a8', 'u5', 'control', 0, 'e9').record, provenance: provenance('activations', 7) },
    { operator: 'traffic', reason: 'bad_json', error: 'not valid JSON', record: '{"event_id":', provenance: { source: 'traffic', output: 'actions', partition: 0, offset: 99 } },
  ],
  summary: {
    sources: {
      activations: { admitted: 10, outcomes: { counted: 4, duplicate: 1, group_conflicts: 1, untracked_triggers: 1, late: 2, dead_lettered: 1 } },
      actions: { read: 10, admitted: 9, outcomes: { counted: 7, filtered: 1, late: 1 } },
      metadata: { admitted: 3, outcomes: { counted: 3 } },
    },
    settings: { epoch_ms: 3 * D, join_lower_ms: 0, join_upper_ms: 3 * D, out_of_orderness_ms: 30_000, allowed_lateness_ms: 600_000, superseding_reasons: ['trigger_superseded'], dedupe: ['activations'], max_late_share: 0.2 },
  },
} satisfies RunFixture;

const E0 = '1767225600000';
const E1 = String(L + 4 * D);
/** The stream's rows as worked out by hand. */
export const GOLDEN_COUNTS = [
  { row_key: `e1|${E0}|0|_|control`, triggered: '1' },
  { row_key: `e1|${E0}|0|click|control`, volume: '2', propensity: '1', sum_sq: '4' },
  { row_key: `e1|${E0}|1|_|treatment`, triggered: '1' },
  { row_key: `e1|${E0}|1|click|treatment`, volume: '1', propensity: '1', sum_sq: '1' },
  { row_key: `e1|${E1}|0|_|treatment`, triggered: '1' },
  { row_key: `e1|${E1}|0|click|treatment`, volume: '1', propensity: '1', sum_sq: '1' },
];
