import { field, parseDuration } from 'sluice/api';

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

const lateness = new WeakMap<object, number>();

/** `allowed_lateness` in milliseconds, parsed once per options object; `fn` names the function in the error. */
export function allowedLateness(options: ExperimentCountsOptions, fn: string): number {
  let ms = lateness.get(options);
  if (ms === undefined) {
    ms = parseDuration(options.allowed_lateness ?? '10m');
    if (ms === undefined || ms < 0) throw new Error(`${fn}: allowed_lateness '${String(options.allowed_lateness)}' is not a duration`);
    lateness.set(options, ms);
  }
  return ms;
}
