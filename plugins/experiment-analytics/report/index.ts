/**
 * `experiment_report`: prints a readable summary of an experiment analytics run when the
 * run ends. Several sinks with the same `report` name (one per part: counts, stats,
 * alerts) feed one report, printed when the last of its parts closes; it works with any
 * profile since it only reads the streams. Its `run_summary` option declares the run
 * summary that `sluice run` writes at the end (docs/flagship.md §5).
 */
import { definePlugin } from 'sluice/api';
import { experimentReportSpec } from './spec.ts';
import { ReportSink } from './report-sink.ts';

export { ReportData, formatReport } from './report.ts';
export type { ExperimentReportConfig, RunSummaryConfig } from './spec.ts';

export const experimentReportSink = definePlugin({
  kind: 'sink',
  name: 'experiment_report',
  summary: 'Prints per experiment and segment its groups, planned split, counts, lift and difference with always-valid intervals, SRM and alerts when the run ends.',
  description: [
    'One sink per part (`counts`, `stats`, `alerts`) with the same `report` name feed one report; it is printed (and written to `path`) when the last part closes, at the end of the run or after Ctrl-C drains it.',
    'Per segment of each epoch: the planned split (with a `metadata` part) beside the triggered users and the SRM p-value, and per action the always-valid (1−α) intervals of the relative lift and of the difference of the per-user volume, or the minimum-sample gate a test waits on with how far each arm is from it.',
    'The optional `run_summary` declares the run summary (`sluice.run-summary/v1`) that `sluice run` writes when the run ends.',
  ].join(' '),
  spec: experimentReportSpec,
  create: ({ config }) => new ReportSink(config),
});
