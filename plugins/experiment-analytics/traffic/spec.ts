import { field } from 'sluice/api';
import type { Infer } from 'sluice/api';

const effect = field.object({
  experiment: field.integer({ doc: 'Experiment number: 0 is the hot experiment `exp_0000`, n ≥ 1 is `exp_<n, 4 digits>`.', min: 0 }),
  action: field.string({ doc: 'The action whose rate changes.', example: 'click' }),
  lift: field.number({ doc: 'Relative change of the per-user rate in the treatment group, e.g. 0.05 for +5%, -0.2 for −20%.', min: -0.95, max: 10 }),
  group: field.string({ doc: 'The group that gets the effect; default the first treatment.', optional: true }),
});

const mismatch = field.object({
  experiment: field.integer({ doc: 'Experiment number (as in `effects`).', min: 0 }),
  loss: field.number({ doc: 'Share of the first treatment group\'s users whose activations are never logged.', min: 0, max: 0.9 }),
});

const study = field.object({
  experiments: field.integer({ doc: 'Experiments `exp_0000`…, all launched at `start` with one treatment at 50/50, never re-ramped.', min: 1, max: 10_000 }),
  rate_min: field.number({ doc: 'Lowest propensity base rate: each (experiment, action) draws its rate uniformly in [rate_min, rate_max].', default: 0.01, min: 0, max: 1 }),
  rate_max: field.number({ doc: 'Highest propensity base rate.', default: 0.05, min: 0, max: 1 }),
  volume_zipf: field.number({ doc: 'An active user\'s count of an action is Zipf-like: P(c) ∝ c^−s on 1..volume_cap.', default: 1.5, min: 0 }),
  volume_cap: field.integer({ doc: 'Per-user cap of an action\'s count, written into the metadata as `volume_cap`.', default: 50, min: 1, max: 10_000 }),
  waves: field.integer({
    doc: 'Launch the experiments in this many consecutive waves of equal size (1: all at `start`); each wave launches when the previous one has triggered all its users, and must fit in one epoch (3 days). Bounds the state a run holds.',
    default: 1, min: 1,
  }),
}, {
  doc: [
    'A/A and known-effect studies instead of the rolling traffic: `experiments` run side by side',
    '(in `waves`), each with its own users (`users` is the whole population, split evenly;',
    'a wave\'s users are triggered once each, in turn over its experiments); every experiment tracks',
    'every action of `actions` (their weights are ignored), and a user acts on it with the',
    'experiment\'s base rate (× (1 + lift) in treatment under `effects`), then with a Zipf-like',
    'count right after the trigger. `sample_ratio_mismatch` loses treatment triggers as usual.',
    'The stream ends after the last user. Keep a wave\'s users × (1 + actions per user) × `event_interval`',
    'under 3 days (one epoch). Launch, lifetime, ramp and hot-experiment options do not apply.',
  ].join(' '),
  optional: true,
});

/**
 * `experiment_traffic`: synthetic experiment traffic, deterministic by seed. Defaults are
 * sized for `npm start -- --events 1000000` (about 8 days of logical time).
 */
export const trafficSpec = field.object({
  seed: field.integer({ doc: 'Seed; the same seed and config give the same records in the same order.', default: 1 }),
  events: field.integer({ doc: 'Stop after this many records over all outputs; absent: unbounded.', optional: true, min: 0 }),
  start: field.integer({ doc: 'Event time of the first logical event, epoch ms (default 2026-01-01T00:00:00Z).', default: 1_767_225_600_000, min: 0 }),
  event_interval: field.duration({ doc: 'Logical time between consecutive logical events: event time advances with the record index, never with the wall clock.', default: '750ms', min: 1 }),
  users: field.integer({ doc: 'Size of the user population.', default: 200_000, min: 1 }),
  user_zipf: field.number({ doc: 'Zipf exponent of user activity (rank 1 is the most active user).', default: 1.1, min: 0 }),
  activation_share: field.number({ doc: 'Share of logical events that are activations; the rest are actions.', default: 0.2, min: 0, max: 1 }),
  warmup: field.duration({ doc: 'Experiments launch from `start − warmup` on, so the stream starts with experiments already running.', default: '3d', min: 0 }),
  launch_every: field.duration({ doc: 'A new experiment launches this often.', default: '3h', min: 60_000 }),
  min_lifetime: field.duration({ doc: 'Shortest time an experiment keeps triggering users.', default: '4d', min: 60_000 }),
  max_lifetime: field.duration({ doc: 'Longest time an experiment keeps triggering users (before re-ramps extend it).', default: '8d', min: 60_000 }),
  max_treatments: field.integer({ doc: 'Treatment groups per experiment, drawn in 1..max (plus control).', default: 2, min: 1, max: 8 }),
  inside_ramp_share: field.number({ doc: 'Share of experiments re-allocated inside their first epoch (a new segment).', default: 0.4, min: 0, max: 1 }),
  reramp_share: field.number({ doc: 'Share of experiments re-ramped 3–5 days after launch (a new epoch).', default: 0.4, min: 0, max: 1 }),
  hot_share: field.number({ doc: 'Share of activations that go to the hot experiment `exp_0000`, which never ends and re-ramps every 3.5 days with a segment 1 day in.', default: 0.35, min: 0, max: 1 }),
  actions: field.map(field.number({ doc: 'Relative frequency.', min: 0 }), {
    doc: 'The mix of actions: name → relative frequency.',
    default: { impression: 55, click: 20, search: 12, save: 7, share: 3, hide: 3 },
  }),
  directions: field.map(field.enum(['up_is_good', 'down_is_good', 'none'] as const, { doc: 'Direction.' }), {
    doc: 'Direction of each action in the metadata; actions not named here are `none`.',
    default: { click: 'up_is_good', save: 'up_is_good', search: 'up_is_good', share: 'up_is_good', hide: 'down_is_good', impression: 'none' },
  }),
  effects: field.array(effect, {
    doc: 'True effects; every other (experiment, action) is A/A. Set `[]` for an all-A/A run.',
    default: [{ experiment: 0, action: 'click', lift: 0.05 }, { experiment: 3, action: 'save', lift: 0.3 }, { experiment: 5, action: 'hide', lift: 0.5 }],
  }),
  sample_ratio_mismatch: field.array(mismatch, { doc: 'Experiments whose first treatment loses a share of its users\' activations.', default: [{ experiment: 4, loss: 0.05 }] }),
  alpha: field.number({ doc: 'α written into every experiment\'s metadata.', default: 0.05, min: 1e-6, max: 0.5 }),
  n_star: field.integer({ doc: 'N* written into every experiment\'s metadata.', default: 2500, min: 1 }),
  metadata_lead: field.duration({ doc: 'Each metadata version is published this long before its ramp takes effect.', default: '1h', min: 0 }),
  duplicate_share: field.number({ doc: 'Share of activations delivered twice (same event_id).', default: 0.01, min: 0, max: 1 }),
  out_of_order: field.duration({ doc: 'Most records arrive up to this long after their event time (keep it below the pipeline\'s max_out_of_orderness).', default: '20s', min: 0 }),
  delayed_share: field.number({ doc: 'Share of records delayed up to `delayed_max`: behind the watermark but within the allowed lateness.', default: 0.01, min: 0, max: 1 }),
  delayed_max: field.duration({ doc: 'Longest delay of a delayed record.', default: '8m', min: 0 }),
  late_share: field.number({ doc: 'Share of records delayed between `late_min` and `late_max`: later than the allowed lateness.', default: 0.002, min: 0, max: 1 }),
  late_min: field.duration({ doc: 'Shortest delay of a late record.', default: '25m', min: 0 }),
  late_max: field.duration({ doc: 'Longest delay of a late record.', default: '2h', min: 0 }),
  malformed_share: field.number({ doc: 'Share of activations and actions delivered as payloads that do not decode (dead-lettered by the runtime).', default: 0.0005, min: 0, max: 1 }),
  far_future_share: field.number({
    doc: 'Share of activations and actions dated 100 years ahead (their time and `ts`): past `event_time.max_future` unless it is set larger, so the runtime dead-letters them (`event_time_in_future`). For soak tests; default none.',
    default: 0, min: 0, max: 1,
  }),
  partitions: field.integer({ doc: 'Partitions of the activation and action outputs (by user); metadata has one.', default: 1, min: 1, max: 256 }),
  study,
});

export type TrafficConfig = Infer<typeof trafficSpec>;

export const TRAFFIC_OUTPUTS = ['activations', 'actions', 'metadata'] as const;
export type TrafficOutput = (typeof TRAFFIC_OUTPUTS)[number];
