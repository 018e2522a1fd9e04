/**
 * `sluice/testing`: the public test kit for plugin authors. `OperatorTestHarness` drives one
 * operator with records, per-input watermarks and a manual clock, and reads its main,
 * named, late and dead-letter outputs; it snapshots and restores the operator's state.
 */
export { OperatorTestHarness } from './harness.ts';
export type { HarnessOptions, HarnessSnapshot, OutputRecord, TestRecord } from './harness.ts';
export { materialize, upsertKeyOf } from './changelog.ts';
export { parseOperatorConfig } from './config.ts';
// What plugin authors need next to the harness.
export { ManualClock, MAX_WATERMARK, MIN_WATERMARK, APPEND_ONLY, BatchBuilder, definePlugin, field, state, RecordError } from '../api/index.ts';
export type { Batch, Row, StreamInfo, OperatorDefinition, OperatorContext, ChangeKind, Changelog } from '../api/index.ts';
