/**
 * Where a task of a job run as tasks starts (docs/architecture.md §5, Savepoints), from its
 * latest checkpoint and the savepoint the process was started from (`--from-savepoint`):
 *
 * - without one: a task whose latest checkpoint is a stop savepoint stays stopped there (the
 *   job was stopped with it: running on would write past the cut); otherwise it resumes
 *   its latest checkpoint, as always;
 * - with savepoint X: a task whose latest checkpoint is X restores X; one whose latest is a
 *   checkpoint of a run started from X (`CheckpointManifest.from`) resumes it — another
 *   process of the same run, a restart, a moved task — or, when that is a stop savepoint,
 *   stays stopped there (the run from X was stopped; a process of it that gets the task
 *   later must not run it); anything else is refused: the task ran on after X (or X is not
 *   its), so its repartition topics hold records written after X that a restore of X would
 *   read a second time.
 */
import { SluiceError } from '../../api/index.ts';
import type { CheckpointManifest } from '../../api/index.ts';

export type TaskStart =
  /** Do not run: stopped at this savepoint. */
  | { readonly kind: 'stopped'; readonly savepoint: string }
  /** Restore the savepoint asked for. */
  | { readonly kind: 'savepoint' }
  /** Resume the latest checkpoint (none: a fresh start). */
  | { readonly kind: 'resume' };

export function taskStart(task: string, latest: CheckpointManifest | undefined, fromSavepoint: string | undefined): TaskStart {
  if (fromSavepoint === undefined) {
    return latest?.savepoint?.stop ? { kind: 'stopped', savepoint: latest.savepoint.id } : { kind: 'resume' };
  }
  // No checkpoint at all: the savepoint is looked up, and not found (savepoint-base.ts says so).
  if (!latest || latest.savepoint?.id === fromSavepoint) return { kind: 'savepoint' };
  if (latest.from === fromSavepoint) return latest.savepoint?.stop ? { kind: 'stopped', savepoint: latest.savepoint.id } : { kind: 'resume' };
  const what = latest.savepoint ? `savepoint ${latest.savepoint.id} (checkpoint ${latest.id})` : `checkpoint ${latest.id}${latest.from ? ` of a run started from savepoint ${latest.from}` : ''}`;
  throw new SluiceError(
    'E_SAVEPOINT',
    `${task}: savepoint ${fromSavepoint} is not where the job stopped: its latest is ${what}, taken after it, so the job's repartition topics hold records written since that a restore of ${fromSavepoint} would read again; ` +
      'restore the latest savepoint (`sluice savepoint list`), or start the job afresh under another name',
  );
}
