/**
 * The flagship's shared data model: record types, their validation, epochs and segments,
 * and the result tables' row keys. A library other plugins import (it defines no plugin).
 */
export { EPOCH_MS, DIRECTIONS } from './types.ts';
export type { Action, Activation, Direction, EpochSlot, ExperimentMeta, Ramp, Weights } from './types.ts';
export { epochOf, segmentsOf, EpochIndex } from './epochs.ts';
export type { HasRamps, Segment } from './epochs.ts';
export {
  ID_PATTERN, actionIssues, activationIssues, checkAction, checkActivation, checkExperimentMeta, experimentMetaIssues,
} from './validate.ts';
export {
  COUNTS_ROW_KEY_TEMPLATE, COUNTS_TABLE, STATS_ROW_KEY_TEMPLATE, STATS_TABLE, TRIGGER_ACTION,
  countsRowKey, epochKey, parseCountsRowKey, statsRowKey,
} from './row-keys.ts';
export type { CountsKey } from './row-keys.ts';
