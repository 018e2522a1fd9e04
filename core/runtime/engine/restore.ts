/**
 * What a job attempt starts from: the latest complete checkpoint (its state restored into
 * the backend, its runtime entries returned) or nothing (a fresh start, state emptied).
 * With `resetState`, checkpoints that existed when the job started are ignored; those it
 * takes itself are used by its restarts. With a savepoint to start from (`--from-savepoint`),
 * the same holds, and the savepoint stands in for "nothing": until the run has taken a
 * checkpoint of its own, every attempt restores the savepoint, dropping the state the fit
 * check let go (core/runtime/checkpoint/savepoint-fit.ts).
 * A job with an exactly-once sink restores the checkpoint its consumer groups committed,
 * not always the latest (exactly-once.ts).
 */
import type { CheckpointManifest, StateBackend } from '../../api/index.ts';
import { SluiceError } from '../../api/index.ts';
import { clearState, CorruptCheckpointError, readCheckpoint } from '../checkpoint/snapshot-io.ts';
import { restorePrevious } from './restore-fallback.ts';
import type { DroppedState } from '../checkpoint/savepoint-fit.ts';
import type { EngineSettings } from './settings.ts';
import { chooseExactlyOnce } from './exactly-once.ts';
import type { ExactlyOncePlan } from './exactly-once.ts';

export interface RestorePoint {
  readonly manifest: CheckpointManifest | undefined;
  readonly entries: ReadonlyMap<string, unknown>;
  /** Restore generation of this attempt: the manifest's + 1, else the previous one. */
  readonly generation: number;
}

/** A savepoint the run starts from, checked against the pipeline. */
export interface SavepointBase {
  readonly manifest: CheckpointManifest;
  readonly dropped: DroppedState;
  /** Restores run above this generation: the highest of the savepoint's and the store's latest checkpoint's. */
  readonly generation: number;
}

/** Empties the tables of the state the savepoint holds but the pipeline does not restore. */
function dropState(backend: StateBackend, dropped: DroppedState): void {
  for (const [operator, names] of dropped) {
    for (const name of names) {
      const table = backend.table(operator, name);
      for (const key of [...table.keys()]) table.delete(key);
    }
  }
}

export async function loadRestorePoint(s: EngineSettings, ignoreUpTo: number, attempt: number, generation: number, base?: SavepointBase, eos?: ExactlyOncePlan): Promise<RestorePoint> {
  const store = s.store;
  let manifest = eos ? await chooseExactlyOnce(s, eos, ignoreUpTo) : store ? await store.latest() : undefined;
  if (manifest && manifest.id <= ignoreUpTo) manifest = undefined;
  const fromSavepoint = manifest === undefined && base !== undefined;
  if (fromSavepoint) manifest = base.manifest;
  if (!manifest) {
    // A restart without a checkpoint starts from scratch: drop what the failed attempt kept.
    if (attempt > 0 || s.resetState || eos) await clearState(s.backend);
    return { manifest: undefined, entries: new Map(), generation };
  }
  if (manifest.job !== s.pipeline.name) {
    throw new SluiceError('E_CHECKPOINT', `checkpoint ${manifest.id} in ${store!.describe()} belongs to job '${manifest.job}', not '${s.pipeline.name}'`);
  }
  let entries: Map<string, unknown>;
  try {
    entries = await readCheckpoint(store!, manifest, s.backend);
  } catch (cause) {
    // A corrupt newest checkpoint (not a savepoint asked for, nor an exactly-once choice): the previous complete one.
    const fallback = cause instanceof CorruptCheckpointError && !fromSavepoint && !eos ? await restorePrevious(s, manifest, cause, ignoreUpTo) : undefined;
    if (fallback) ({ manifest, entries } = fallback);
    else if (cause instanceof SluiceError && cause.code === 'E_CHECKPOINT') throw cause;
    else throw new SluiceError('E_CHECKPOINT', `cannot restore checkpoint ${manifest.id} from ${store!.describe()}: ${(cause as Error).message}`, { cause });
  }
  if (fromSavepoint) dropState(s.backend, base.dropped);
  const next = (fromSavepoint ? base.generation : manifest.generation) + 1;
  const what = fromSavepoint ? `savepoint ${base.manifest.savepoint?.id} (checkpoint ${manifest.id})` : `checkpoint ${manifest.id}`;
  s.logger.info(`restoring ${what} from ${store!.describe()}`, { checkpoint: manifest.id, store: store!.describe(), generation: next });
  return { manifest, entries, generation: next };
}
