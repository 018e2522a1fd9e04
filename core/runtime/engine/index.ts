/**
 * The engine: runs a compiled pipeline (`runJob`), and runs one in process on given
 * inputs for tests (`runPipelineInProcess`).
 */
export { runJob, startJob, restartDelay } from './run-job.ts';
export { configuredTelemetry } from './settings.ts';
export type { JobHandle } from './run-job.ts';
export { restoreGeneration } from './generation.ts';
export type { EngineOptions, JobResult, RunningJob, SavepointOptions, SavepointTaken, CheckpointOptions, RestartOptions, InstanceOverrides, CheckpointInfo, StageCounts } from './options.ts';
export type { SinkRetryOptions } from './sink-task.ts';
export { PluginFailedError } from './errors.ts';
export { SourceWatermarks } from './source-watermarks.ts';
export { InputWatermarks } from '../state/input-watermarks.ts';
export { toEventTime } from './event-time.ts';
export { runPipelineInProcess, inputPolls } from './in-process.ts';
export type { PipelineInput, PipelineInputRecord, PipelineInputWatermark, PipelineOutputs, CollectedRecord } from './in-process.ts';
