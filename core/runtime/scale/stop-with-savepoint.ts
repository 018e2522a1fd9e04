/**
 * A stop with savepoint of one task index of a job run as tasks (docs/architecture.md §5,
 * Savepoints): every stage's instance of task p takes its part of savepoint `id`, marked as a
 * stop, and is cancelled right after it, so nothing it reads later is ever committed.
 *
 * The cut across stages: a task of the first stage takes its part at once; its repartition
 * outputs write a marker of the savepoint to every partition inside the savepoint's
 * transaction (repartition-output.ts), and it writes nothing after. A task of a later stage
 * waits until its repartition inputs have returned every upstream task's marker
 * (`RunningJob.savepointReached`) — all that the upstream tasks committed before their
 * savepoint, and nothing can follow — then takes its part. Stages are handled together:
 * a later stage only waits on the markers, wherever its upstream tasks run.
 *
 * Idempotent: a task already stopped at a savepoint, or whose run was started from this
 * savepoint (an old request read again), takes nothing.
 */
import { SluiceError } from '../../api/index.ts';
import type { Logger } from '../../api/index.ts';
import type { JobHandle, RunningJob } from '../engine/index.ts';

const POLL_MS = 200;

export interface StopTarget {
  readonly task: string;
  readonly handle: JobHandle;
  /** The stage reads repartition topics: it waits for the upstream tasks' markers. */
  readonly downstream: boolean;
}

/** Resolves once the task has its part of savepoint `id` and is cancelled; rejects when it ended otherwise. */
export async function stopTaskWithSavepoint(t: StopTarget, id: string, logger: Logger, ended: () => boolean): Promise<void> {
  for (;;) {
    if (ended()) {
      // A task found stopped at a savepoint when it started (task-start.ts) has nothing to take.
      const r = await t.handle.result.catch(() => undefined);
      if (r?.stoppedAt !== undefined) return;
      throw new SluiceError('E_SAVEPOINT', `${t.task} ended before it took savepoint ${id}`);
    }
    const job: RunningJob | undefined = t.handle.current();
    if (job && job.startedFrom() === id) {
      logger.info(`${t.task}: savepoint ${id} is where this run started; nothing to take`, { savepoint: id });
      return;
    }
    if (job && (!t.downstream || job.savepointReached(id))) {
      try {
        const taken = await job.triggerSavepoint({ id, stop: true });
        logger.info(`${t.task} stopped with savepoint ${id} (checkpoint ${taken.checkpoint})`, { savepoint: id, checkpoint: taken.checkpoint });
        t.handle.cancel(`stopped with savepoint ${id}`);
        return;
      } catch (error) {
        // Not running yet (restoring), or declined: try again while the task is ours.
        logger.debug(`${t.task}: savepoint ${id} not taken yet: ${(error as Error).message}`, { savepoint: id });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
