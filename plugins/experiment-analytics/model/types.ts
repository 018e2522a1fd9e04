/**
 * The flagship's data model (docs/architecture.md §8): the three input streams and the constants the
 * job, the generator, the result tables and `sluice validate` agree on.
 *
 * Every record has an `event_id`; `ts` is event time in epoch milliseconds. Identifiers
 * (experiment, group, action, user) never contain `|`, the row-key separator.
 */

/** An epoch covers [start, start + 3 days) of an experiment's ramp history. */
export const EPOCH_MS = 3 * 86_400_000;

/** A user was triggered into an experiment group. A user can be triggered many times. */
export interface Activation {
  readonly event_id: string;
  readonly user_id: string;
  readonly experiment_id: string;
  readonly group: string;
  readonly ts: number;
}

/** Something a user did. Attributes beyond these fields are kept as they came. */
export interface Action {
  readonly event_id: string;
  readonly user_id: string;
  /** `impression`, `click`, `save`, `search`, … */
  readonly action: string;
  readonly ts: number;
  readonly [attribute: string]: unknown;
}

/** Which way an action's change is good; harm alerts fire in the bad direction only. */
export type Direction = 'up_is_good' | 'down_is_good' | 'none';
export const DIRECTIONS: readonly Direction[] = ['up_is_good', 'down_is_good', 'none'];

/** Planned allocation: group → weight. Weights are ≥ 0, sum to 1 (±1e-9), one per group. */
export type Weights = Readonly<Record<string, number>>;

/** An allocation change: the launch (the first ramp) or a later ramp. */
export interface Ramp {
  readonly ts: number;
  readonly weights: Weights;
}

/**
 * One version of an experiment's metadata, broadcast to the job. A new version is
 * published for each ramp; it carries the whole ramp history so far (launch first, times
 * strictly increasing) and is in force from `effective_from`.
 */
export interface ExperimentMeta {
  readonly event_id: string;
  readonly experiment_id: string;
  /** Every group, control included; at least two. */
  readonly groups: readonly string[];
  readonly control: string;
  /** The weights in force from `effective_from` (those of the latest ramp at or before it). */
  readonly weights: Weights;
  /** Two-sided significance level of the always-valid tests, in (0, 1). */
  readonly alpha: number;
  /** Users per arm where decisions are usually made (STATS.md's N*). */
  readonly n_star: number;
  /** The actions this experiment tracks, each with its direction. */
  readonly actions: Readonly<Record<string, Direction>>;
  readonly ramps: readonly Ramp[];
  readonly effective_from: number;
  /** When this version was published (its event time). */
  readonly ts: number;
}

/** Where an event time falls in an experiment's ramp history. */
export interface EpochSlot {
  /** Start of the epoch in epoch ms: the epoch's id. */
  readonly epoch_start: number;
  /** Exclusive end: `epoch_start + EPOCH_MS`. */
  readonly epoch_end: number;
  /** 0-based index of the ramp inside the epoch that starts the segment (0: the epoch's own). */
  readonly segment: number;
  readonly segment_start: number;
  /** The segment's planned weights (its ramp's). */
  readonly weights: Weights;
}
