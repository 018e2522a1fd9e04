/** Errors that end a job attempt, as coded `SluiceError`s. */
import { SluiceError } from '../../api/index.ts';

/** Coded errors pass through; anything else is an unexpected failure of the job. */
export function toSluiceError(error: unknown): SluiceError {
  if (error instanceof SluiceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SluiceError('E_PLUGIN_FAILED', `the job failed: ${message}`, { cause: error });
}
