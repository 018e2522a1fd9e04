/**
 * Pipeline files: YAML read with positions, `${VAR}` interpolated, blocks read and every
 * config validated against its field spec. `compilePipeline` (core/runtime/graph) is the
 * entry point most callers want.
 */
export { parsePipelineFile, MAX_ALIAS_COUNT } from './yaml.ts';
export type { ParsedPipelineFile, ParseOptions } from './yaml.ts';
export { interpolate } from './interpolate.ts';
export type { Env } from './interpolate.ts';
export { Locator, formatPath } from './locator.ts';
export type { ConfigPath, Position } from './locator.ts';
export { validateConfig } from './validate.ts';
export type { ConfigSite, ExprFields, Validated } from './validate.ts';
export { readPipeline, profileNames } from './pipeline.ts';
export type { PackageRef, PipelineDefinition } from './pipeline.ts';
export type { PipelineBlock, InputRef } from './blocks.ts';
export { issueAt, sortIssues, dedupeIssues } from './issues.ts';
export { didYouMean, closest, editDistance } from './suggest.ts';
export { pipelineSpec, eventTimeSpec, codecSpec } from './pipeline-spec.ts';
