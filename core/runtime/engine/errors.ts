/**
 * Errors of a running job. A plugin that fails as a whole (an exception escaping an
 * operator, a source's `poll`, a sink after its retries) fails the job with
 * `E_PLUGIN_FAILED`, naming the block, its file position and the cause:
 *
 *   operator 'per_user' (plugin window_aggregate) failed (pipelines/x.yaml:31:3, operators.per_user): boom
 */
import { SluiceError, formatLocation } from '../../api/index.ts';
import type { SourceLocation } from '../../api/index.ts';
import type { Located } from '../graph/types.ts';

export type StageKind = 'source' | 'operator' | 'sink' | 'late output' | 'dead-letter output';

/** A stage of the job, for messages. */
export interface StageRef {
  readonly kind: StageKind;
  readonly id: string;
  /** The plugin's name. */
  readonly plugin: string;
  readonly location?: Located;
}

export function stageLocation(stage: StageRef): SourceLocation | undefined {
  const l = stage.location;
  return l ? { file: l.file, line: l.line, col: l.col, path: l.configPath } : undefined;
}

export function describeStage(stage: StageRef): string {
  return `${stage.kind} '${stage.id}' (plugin ${stage.plugin})`;
}

function causeText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class PluginFailedError extends SluiceError {
  readonly stage: StageRef;
  constructor(stage: StageRef, action: string, cause: unknown) {
    const location = stageLocation(stage);
    super('E_PLUGIN_FAILED', `${describeStage(stage)} failed`, { cause, ...(location ? { location } : {}) });
    this.name = 'PluginFailedError';
    this.stage = stage;
    const where = location ? ` (${formatLocation(location)})` : '';
    this.message = `${describeStage(stage)} failed in ${action}${where}: ${causeText(cause)}`;
  }
}

/** Wraps anything thrown by a plugin call as the stage's failure (a SluiceError passes through when already coded). */
export function pluginFailure(stage: StageRef, action: string, error: unknown): SluiceError {
  if (error instanceof PluginFailedError) return error;
  return new PluginFailedError(stage, action, error);
}
