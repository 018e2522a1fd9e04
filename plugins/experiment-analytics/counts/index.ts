/** `experiment_user_counts` and `experiment_counts`: keyed functions for `keyed_process` (see user-counts.ts, counts.ts). */
export { experimentCounts, COUNTS_FIELDS } from './counts.ts';
export type { ActionCounts, KeyCounts } from './counts.ts';
export { experimentUserCounts } from './user-counts.ts';
export type { UserBuffers } from './user-counts.ts';
export { experimentCountsOptions } from './spec.ts';
