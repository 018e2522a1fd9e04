/** Errors that end a job attempt, as coded `SluiceError`s. */
import { SluiceError } from '../../api/index.ts';

/** Coded errors pass through; anything else is an unexpected failure of the job. */
export function toSluiceError(error: unknown): SluiceError {
  if (error instanceof SluiceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SluiceError('E_PLUGIN_FAILED', `the job failed: ${message}`, { cause: error });
}

/**
 * Codes of errors that a restart meets again: the job fails at once instead of restarting.
 * A missing input stays missing; a key budget is exceeded again by the same replay.
 */
const NOT_RETRIABLE: ReadonlySet<string> = new Set(['E_SOURCE_INPUT', 'E_STATE_BUDGET']);

/**
 * The error, in `error` or its chain of causes (a plugin's error wrapped by the step that
 * met it), that a restart cannot fix; undefined when restarting may help.
 */
export function retryCannotHelp(error: unknown): SluiceError | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 16 && e instanceof Error; depth++, e = e.cause) {
    if (e instanceof SluiceError && NOT_RETRIABLE.has(e.code)) return e;
  }
  return undefined;
}
