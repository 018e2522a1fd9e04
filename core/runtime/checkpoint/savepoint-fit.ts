/**
 * Does a savepoint fit the pipeline it is restored into? (Flink's rules, operators matched
 * by id, i.e. their YAML names.) For every operator whose keyed state the savepoint holds:
 *
 * - the operator is gone, or declares none of that state any more: its state would be lost;
 *   refused unless `allowDroppedState` (Flink's `--allowNonRestoredState`), which drops it;
 * - the operator's type changed (same id, another plugin): refused;
 * - a state of the same name has another kind (ValueState ↔ MapState ↔ ListState): refused.
 *
 * A state the savepoint holds that the operator no longer declares (while it keeps others)
 * is dropped, as Flink does. New operators and new states start empty. A different
 * pipeline hash alone is no reason to refuse (sinks change): the caller warns.
 */
import type { CheckpointManifest, PipelineShape } from '../../api/index.ts';
import { SluiceError } from '../../api/index.ts';

/** Keyed state of the savepoint that is not restored: per operator id, the state names. */
export type DroppedState = ReadonlyMap<string, readonly string[]>;

export interface SavepointFit {
  readonly dropped: DroppedState;
  readonly hashChanged: boolean;
}

export function checkSavepointFit(savepoint: CheckpointManifest, current: PipelineShape, allowDroppedState: boolean): SavepointFit {
  const name = savepoint.savepoint?.id ?? String(savepoint.id);
  const saved = savepoint.pipeline;
  if (!saved) throw new SluiceError('E_SAVEPOINT_MISMATCH', `savepoint ${name} records no pipeline shape (taken by an older Sluice); it cannot be checked against the pipeline`);
  const problems: string[] = [];
  const lost: string[] = [];
  const dropped = new Map<string, string[]>();
  for (const [id, was] of Object.entries(saved.operators)) {
    const now = current.operators[id];
    if (!now) {
      lost.push(id);
      dropped.set(id, Object.keys(was.state));
      continue;
    }
    if (now.type !== was.type) {
      problems.push(`operator '${id}' was a ${was.type} and is a ${now.type} now`);
      continue;
    }
    const gone: string[] = [];
    for (const [state, kind] of Object.entries(was.state)) {
      const kindNow = now.state[state];
      if (kindNow === undefined) gone.push(state);
      else if (kindNow !== kind) problems.push(`state '${state}' of operator '${id}' (${was.type}) was a ${kind} state and is a ${kindNow} state now`);
    }
    if (gone.length > 0) dropped.set(id, gone);
  }
  if (lost.length > 0 && !allowDroppedState) {
    problems.unshift(`the savepoint holds state of ${lost.map((id) => `'${id}'`).join(', ')}, which the pipeline no longer has (or which keeps no state now); run with --allow-dropped-state to drop it`);
  }
  if (problems.length > 0) {
    throw new SluiceError('E_SAVEPOINT_MISMATCH', `savepoint ${name} does not fit the pipeline: ${problems.join('; ')}`);
  }
  return { dropped, hashChanged: saved.hash !== current.hash };
}
