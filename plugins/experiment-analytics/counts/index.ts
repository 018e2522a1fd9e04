/** `experiment_counts`: a keyed function for `keyed_process` (see counts.ts). */
export { experimentCounts, COUNTS_FIELDS } from './counts.ts';
export type { ActionCounts, KeyCounts } from './counts.ts';
export { experimentCountsOptions } from './spec.ts';
