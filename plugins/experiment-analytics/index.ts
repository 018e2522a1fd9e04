/**
 * sluice-experiment-analytics: real-time experiment analytics as a Sluice plugin package
 * (docs/flagship.md). A pipeline loads it by name (`plugins: [sluice-experiment-analytics]`);
 * the runtime registers every export made by `definePlugin` and every extension made by
 * `defineCommand` or `defineUiPage`, keyed functions (`first_trigger`, `experiment_user_counts`,
 * `experiment_counts`, for `keyed_process`) included.
 *
 * - model/: the experiments model (metadata, epochs, segments, row keys), shared by all;
 * - traffic/: the `experiment_traffic` source, a deterministic traffic generator;
 * - first-trigger/, counts/: the keyed functions `first_trigger`, `experiment_user_counts` and
 *   `experiment_counts` (local-global counts);
 * - stats/: the `experiment_stats` operator (mSPRT, SRM, alerts);
 * - report/: the `experiment_report` sink (report.txt, summary.json, the dashboard's data);
 * - dashboard/: the dashboard page the web UI serves from a run folder;
 * - validate/: `sluice validate`, the DuckDB recomputation of a finished run.
 */
export { experimentTrafficSource } from './traffic/index.ts';
export { firstTrigger } from './first-trigger/index.ts';
export { experimentCounts, experimentUserCounts } from './counts/index.ts';
export { experimentStatsPlugin } from './stats/index.ts';
export { experimentReportSink } from './report/index.ts';
export { validateCommand } from './validate/command.ts';
export { experimentDashboardPage } from './dashboard/page.ts';
