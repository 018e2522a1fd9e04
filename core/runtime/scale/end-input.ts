/**
 * Draining a job run as tasks (run-tasks.ts): telling a task instance to end its input.
 */
import type { JobHandle } from '../engine/index.ts';

/**
 * Ends the input of a task instance, whichever attempt of it runs: one that has not started
 * yet (a task that just moved here, still restoring) or one that failed and is restarted gets
 * the call when it is there. Calling `endInput` only on the attempt of the moment lost it in
 * those windows, and the task then never ended (nor sent its +∞ downstream: a hung drain).
 */
export async function endInputOf(handle: Pick<JobHandle, 'current'>, ending: Promise<void> | undefined, pollMs = 200): Promise<void> {
  if (!ending) return;
  let done = false;
  void ending.then(() => (done = true), () => (done = true));
  let told: unknown;
  while (!done) {
    const attempt = handle.current();
    if (attempt && attempt !== told) {
      attempt.endInput('the job is draining');
      told = attempt;
    }
    await Promise.race([ending.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, pollMs))]);
  }
}

