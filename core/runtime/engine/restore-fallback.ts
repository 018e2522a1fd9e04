/**
 * Restoring past a corrupt checkpoint (issue 12): when the newest complete checkpoint fails
 * its chunk checksums, the job restores the newest older complete checkpoint of the same job
 * that reads cleanly, and says so in the log. Sources then reopen at that checkpoint's
 * positions and sinks truncate or overwrite what they wrote after it, as after any restore,
 * so the outputs are those of an uninterrupted run. Needs a store that can `list()`.
 */
import type { CheckpointManifest } from '../../api/index.ts';
import { clearState, CorruptCheckpointError, readCheckpoint } from '../checkpoint/snapshot-io.ts';
import type { EngineSettings } from './settings.ts';

export interface Fallback {
  readonly manifest: CheckpointManifest;
  readonly entries: Map<string, unknown>;
}

/** The previous complete checkpoint restored into the backend; undefined when none reads cleanly. */
export async function restorePrevious(s: EngineSettings, corrupt: CheckpointManifest, cause: CorruptCheckpointError, ignoreUpTo: number): Promise<Fallback | undefined> {
  const store = s.store;
  if (!store?.list) return undefined;
  const older = (await store.list()).filter((m) => m.id < corrupt.id && m.id > ignoreUpTo && m.job === corrupt.job);
  let why = cause.message;
  let skipped = corrupt.id;
  for (const manifest of older) {
    await clearState(s.backend);
    s.logger.warn(`checkpoint ${skipped} in ${store.describe()} is corrupt (${why}); restoring checkpoint ${manifest.id}, the previous complete one`, {
      checkpoint: manifest.id,
      corrupt: skipped,
    });
    try {
      return { manifest, entries: await readCheckpoint(store, manifest, s.backend) };
    } catch (error) {
      if (!(error instanceof CorruptCheckpointError)) throw error;
      why = error.message;
      skipped = manifest.id;
    }
  }
  await clearState(s.backend);
  return undefined;
}
