/**
 * `sluice/testing`: the public test kit for plugin authors. `OperatorTestHarness` drives one
 * operator with records, per-input watermarks and a manual clock, and reads its main,
 * named, late and dead-letter outputs; it snapshots and restores the operator's state.
 * `runPipelineTest` runs a declarative pipeline test file (docs/pipeline-tests.md), and
 * `runPipelineInProcess` a compiled pipeline on given inputs. `SourceTestHarness` and
 * `SinkTestHarness` drive a source or sink plugin without the engine; `sourceCompliance`,
 * `sinkCompliance` and `operatorCompliance` register the contract checks as `node:test` subtests.
 */
export { OperatorTestHarness } from './harness.ts';
export type { HarnessOptions, HarnessSnapshot, OutputRecord, TestRecord } from './harness.ts';
export { materialize, upsertKeyOf } from './changelog.ts';
export { parseOperatorConfig } from './config.ts';
export type { OperatorPlugin } from './operator-plugin.ts';
export { builtinOperator } from './builtin-plugin.ts';
export { SourceTestHarness } from './source-harness.ts';
export type { ReadOptions, SourceHarnessOptions, SourcePlugin, SourceRecord } from './source-harness.ts';
export { SinkTestHarness } from './sink-harness.ts';
export type { DeadLetteredRecord, SinkHarnessOptions, SinkPlugin } from './sink-harness.ts';
export { PluginContext } from './plugin-context.ts';
export type { LogEntry, PluginContextOptions } from './plugin-context.ts';
export { parsePluginConfig } from './config.ts';
export { sourceCompliance, sourceChecks } from './compliance-source.ts';
export type { SourceComplianceOptions } from './compliance-source.ts';
export { sinkCompliance, sinkChecks } from './compliance-sink.ts';
export type { SinkComplianceOptions } from './compliance-sink.ts';
export { operatorCompliance, operatorChecks } from './compliance-operator.ts';
export type { OperatorComplianceOptions } from './compliance-operator.ts';
export type { CommonComplianceOptions, ComplianceCheck, ConfigInput, ExpectedTelemetry } from './compliance-common.ts';
export { runPipelineTest, PipelineTestFileError } from './pipeline-test/run.ts';
export type { PipelineTestCaseResult, PipelineTestOptions, PipelineTestResult } from './pipeline-test/run.ts';
export { runPipelineInProcess } from '../runtime/engine/in-process.ts';
/** The engine's per-key compaction of an upsert output within a batch (mini-batch): compare an operator's output as the engine passes it on. */
export { UpsertCompactor } from '../runtime/engine/upsert-compactor.ts';
export type { CollectedRecord, PipelineInput, PipelineInputRecord, PipelineInputWatermark, PipelineOutputs } from '../runtime/engine/in-process.ts';
// What plugin authors need next to the harness.
export { ManualClock, MAX_WATERMARK, MIN_WATERMARK, APPEND_ONLY, BatchBuilder, definePlugin, field, state, RecordError } from '../api/index.ts';
export type { Batch, Row, StreamInfo, OperatorDefinition, OperatorContext, ChangeKind, Changelog } from '../api/index.ts';
