/**
 * What a job attempt starts from: the latest complete checkpoint (its state restored into
 * the backend, its runtime entries returned) or nothing (a fresh start, state emptied).
 * With `resetState`, checkpoints that existed when the job started are ignored; those it
 * takes itself are used by its restarts. A job with an exactly-once sink restores the
 * checkpoint its consumer groups committed, not always the latest (exactly-once.ts).
 */
import type { CheckpointManifest } from '../../api/index.ts';
import { SluiceError } from '../../api/index.ts';
import { clearState, readCheckpoint } from '../checkpoint/snapshot-io.ts';
import type { EngineSettings } from './settings.ts';
import { chooseExactlyOnce } from './exactly-once.ts';
import type { ExactlyOncePlan } from './exactly-once.ts';

export interface RestorePoint {
  readonly manifest: CheckpointManifest | undefined;
  readonly entries: ReadonlyMap<string, unknown>;
  /** Restore generation of this attempt: the manifest's + 1, else the previous one. */
  readonly generation: number;
}

export async function loadRestorePoint(s: EngineSettings, ignoreUpTo: number, attempt: number, generation: number, eos?: ExactlyOncePlan): Promise<RestorePoint> {
  const store = s.store;
  let manifest = eos ? await chooseExactlyOnce(s, eos, ignoreUpTo) : store ? await store.latest() : undefined;
  if (manifest && manifest.id <= ignoreUpTo) manifest = undefined;
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
    if (cause instanceof SluiceError && cause.code === 'E_CHECKPOINT') throw cause;
    throw new SluiceError('E_CHECKPOINT', `cannot restore checkpoint ${manifest.id} from ${store!.describe()}: ${(cause as Error).message}`, { cause });
  }
  s.logger.info(`restoring checkpoint ${manifest.id} from ${store!.describe()}`, { checkpoint: manifest.id, store: store!.describe(), generation: manifest.generation + 1 });
  return { manifest, entries, generation: manifest.generation + 1 };
}
