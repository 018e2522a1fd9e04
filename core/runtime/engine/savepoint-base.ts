/**
 * `--from-savepoint <id>`: finds the savepoint in the job's checkpoint store and checks it
 * against the pipeline before anything opens (core/runtime/checkpoint/savepoint-fit.ts). A
 * savepoint that does not fit is refused (`E_SAVEPOINT_MISMATCH`); state the run drops
 * (`--allow-dropped-state`, or states an operator no longer declares) is logged per
 * operator; a changed pipeline hash alone is a warning.
 */
import type { CheckpointManifest } from '../../api/index.ts';
import { SluiceError } from '../../api/index.ts';
import { checkSavepointFit } from '../checkpoint/savepoint-fit.ts';
import { findSavepoint } from '../checkpoint/savepoints.ts';
import type { SavepointBase } from './restore.ts';
import type { EngineSettings } from './settings.ts';

export async function savepointBase(s: EngineSettings, latest: CheckpointManifest | undefined): Promise<SavepointBase | undefined> {
  const id = s.fromSavepoint;
  if (id === undefined) return undefined;
  if (!s.store) throw new SluiceError('E_SAVEPOINT', `--from-savepoint ${id}: the job has no checkpoint store`);
  const manifest = await findSavepoint(s.store, id);
  if (manifest.job !== s.pipeline.name) throw new SluiceError('E_SAVEPOINT', `savepoint ${id} belongs to job '${manifest.job}', not '${s.pipeline.name}'`);
  const fit = checkSavepointFit(manifest, s.shape, s.allowDroppedState);
  for (const [operator, states] of fit.dropped) {
    const gone = s.shape.operators[operator] === undefined;
    s.logger.warn(`savepoint ${id}: dropping the state of ${gone ? 'removed ' : ''}operator '${operator}' (${states.join(', ')})`, { savepoint: id, operator, states });
  }
  if (fit.hashChanged) {
    s.logger.warn(`savepoint ${id} was taken of a different pipeline definition (hash ${manifest.pipeline!.hash.slice(0, 12)}, now ${s.shape.hash.slice(0, 12)}); its state fits, restoring it`, { savepoint: id });
  }
  s.logger.info(`starting from savepoint ${id} (checkpoint ${manifest.id}) in ${s.store.describe()}`, { savepoint: id, checkpoint: manifest.id });
  return { manifest, dropped: fit.dropped, generation: Math.max(manifest.generation, latest?.generation ?? 0) };
}
