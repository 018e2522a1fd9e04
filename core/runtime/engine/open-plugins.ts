/**
 * Opening the plugins of a job attempt, with two rules on top of `openInOrder`:
 *
 * - a stop signal is not held hostage by a plugin whose `open` never settles (a file sink
 *   stuck in Node's recursive `mkdir` under /proc): the attempt fails at once, naming the
 *   plugin it waited for;
 * - a source that refuses a fresh start because it found committed positions
 *   (`E_STATE_WITHOUT_CHECKPOINT`, docs/architecture.md §5) keeps that code.
 */
import { SluiceError } from '../../api/index.ts';
import type { Logger } from '../../api/index.ts';
import { PluginInitError, openInOrder } from '../plugins/lifecycle.ts';
import type { Lifecycle } from '../plugins/lifecycle.ts';

/** Opens `items` in order (see `openInOrder`), or fails as soon as `signal` aborts. */
export async function openOrStop<T extends Lifecycle>(items: readonly T[], signal: AbortSignal | undefined, logger: Logger): Promise<readonly T[]> {
  let opening: T | undefined;
  const tracked = items.map((item) => ({ ...item, open: () => ((opening = item), item.open()) }));
  const opened = openInOrder(tracked, (item, error) => logger.error(`closing ${item.kind} '${item.id}' failed`, { error: (error as Error)?.message }));
  // A job started already stopped opens normally and then stops cleanly.
  if (!signal || signal.aborted) return opened;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(new PluginInitError(opening ?? items[0]!, new Error('the job was stopped while this plugin was still opening; it never finished')));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  stopped.catch(() => undefined);
  try {
    return await Promise.race([opened, stopped]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

/**
 * A source that finds committed positions (e.g. consumer-group offsets) while opened
 * without a checkpoint's position throws `E_STATE_WITHOUT_CHECKPOINT` from `open`: the job
 * refuses to start, and restarting cannot change that, so the caller ends the job. The
 * error keeps its code and gains the block's location and the way out.
 */
export function refusedStart(error: unknown): SluiceError | undefined {
  if (!(error instanceof PluginInitError)) return undefined;
  const cause = error.cause;
  if (!(cause instanceof SluiceError) || cause.code !== 'E_STATE_WITHOUT_CHECKPOINT') return undefined;
  return new SluiceError('E_STATE_WITHOUT_CHECKPOINT', `${error.message}; the job refuses to start: run with --reset-state to start from scratch on purpose`, { cause });
}
