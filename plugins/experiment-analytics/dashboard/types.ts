/**
 * `dashboard.json` (`sluice.experiment-dashboard/v1`): what the experiment dashboard plots,
 * collected by the `experiment_report` sink from the stats, counts, alerts and metadata
 * streams while the job runs, and written into the run folder beside the report.
 */

/** One look of a test: `[users, delta, lo, hi, lift, lift_lo, lift_hi, p]` (null where not computed). */
export type SeriesPoint = [number, number | null, number | null, number | null, number | null, number | null, number | null, number | null];

export interface DashboardSeries {
  readonly action: string;
  readonly metric: string;
  readonly treatment: string;
  /** Users on the x-axis: triggered users of the segment (every group) when the stats row arrived. */
  readonly points: SeriesPoint[];
  /** The x (users) of the first harm alarm of this test, if any. */
  firstAlarm?: number;
  /** The level the alarm used (α over the family), if any. */
  alarmLevel?: number;
  gated?: string | null;
}

export interface DashboardSegment {
  readonly segment: number;
  start?: number;
  planned?: Record<string, number>;
  /** Triggered users per group now. */
  readonly triggered: Record<string, number>;
  /** `[users, srm p]` per look of the SRM test. */
  readonly srm: [number, number][];
  readonly series: DashboardSeries[];
}

export interface DashboardAlert {
  readonly id: string;
  readonly kind: string;
  readonly segment: number;
  readonly action: string;
  readonly metric: string;
  readonly treatment: string;
  readonly p: number | null;
  readonly users: number;
  readonly ts: number;
}

export interface DashboardEpoch {
  readonly experiment: string;
  readonly epochStart: number;
  control?: string;
  alpha?: number;
  nStar?: number;
  readonly segments: DashboardSegment[];
  readonly alerts: DashboardAlert[];
}

export interface DashboardData {
  readonly format: 'sluice.experiment-dashboard/v1';
  readonly updatedAt: number;
  readonly epochs: DashboardEpoch[];
}
