import { field } from 'sluice/api';

/** Options of `experiment_counts` (passed under `keyed_process.options`). */
export const experimentCountsOptions = field.object({
  allowed_lateness: field.duration({
    doc: "How long after an epoch's end its counts are kept (the pipeline's allowed lateness): late records of the epoch within it still update the rows.",
    default: '10m',
    min: 0,
  }),
});

export interface ExperimentCountsOptions {
  readonly allowed_lateness?: string | number;
}
