import { field } from 'sluice/api';
import type { Infer } from 'sluice/api';

const stageRef = field.string({ doc: '`<stage id>.<counter>`: an operator counter (`ctx.count`), or `<stage id>.dropped` (records in − out − late − dead-lettered, e.g. what a filter removed).', pattern: '^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$' });

/** What `sluice run` writes at the end of a run as `summary.json` (docs/flagship.md §5). */
export const runSummarySpec = field.object(
  {
    path: field.string({ path: true, doc: 'Where to write the summary; paths inside it are written relative to its folder.', example: '.sluice/runs/experiment_analytics/r1/summary.json', minLength: 1 }),
    sources: field.map(
      field.object({
        archive: field.string({ doc: 'Id of the `file` sink (with `envelope: provenance`) that archives this stream as admitted; its written count is `admitted`.' }),
        outcomes: field.map(stageRef, { doc: 'Outcome name → the counter that counts it (e.g. `duplicate: activations_unique.duplicates`).', default: {} }),
      }),
      { doc: 'Per stream role (e.g. activations): where it is archived and which counters give its outcomes. `late` and `dead_lettered` are counted from the late and dead-letter files by provenance; `counted` is the rest.' },
    ),
    results: field.string({ doc: 'Id of the sink holding the counts table: an `embedded_store` (SQLite) or an `hbase` sink (read back through its REST server).' }),
    settings: field.any({ doc: 'Written as `settings` (what `sluice validate` needs: epoch_ms, join bounds, lateness, dedupe roles, max_late_share).', default: {} }),
  },
  { doc: 'The run summary `sluice run` writes when the run ends (also on Ctrl-C); see docs/flagship.md §5.', optional: true },
);

/** `experiment_report`: a human-readable summary of an experiment analytics run, printed at close. */
export const experimentReportSpec = field.object({
  part: field.enum(['counts', 'stats', 'alerts', 'metadata'] as const, { doc: 'Which stream this sink feeds into the report: the counts upsert stream, the stats upsert stream, the alerts, or the experiment metadata (optional: gives the planned split, α and N*).' }),
  report: field.string({ doc: 'Name of the report: sinks with the same name feed one report.', default: 'experiment_analytics', pattern: '^[a-z][a-z0-9_]*$' }),
  parts: field.array(field.enum(['counts', 'stats', 'alerts', 'metadata'] as const, { doc: 'A part.' }), {
    doc: 'The parts that make up the report; it is printed once all of them have closed (sinks close after the whole graph drained, so an unlisted `metadata` part has delivered everything by then).',
    default: ['counts', 'stats', 'alerts'],
    minItems: 1,
  }),
  output: field.enum(['stdout', 'stderr', 'none'] as const, { doc: 'Where to print the report (the `counts` part\'s setting is used).', default: 'stdout' }),
  path: field.string({ path: true, doc: 'Also write the report to this file (the `counts` part\'s setting is used).', optional: true }),
  max_experiments: field.integer({ doc: 'Experiments shown (most triggered users first); the rest are counted in one line (the `counts` part\'s setting is used).', default: 25, min: 1 }),
  run_summary: runSummarySpec,
});

export type ExperimentReportConfig = Infer<typeof experimentReportSpec>;
export type RunSummaryConfig = NonNullable<ExperimentReportConfig['run_summary']>;
