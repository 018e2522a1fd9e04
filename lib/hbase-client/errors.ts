/**
 * Classifies what the `hbase` REST library reports into `HBaseError`s: a network failure
 * (refused, reset, timed out, unreachable), a 5xx, a 408, a 410 or a 429 is transient; any
 * other HTTP status is permanent. The REST server answers 410 (Gone) to a scan of a table
 * created a moment before, while its region comes online, and when a scanner expired: both
 * succeed when the operation is tried again. Anything else (a bug, a body that is not JSON)
 * is permanent too, so it surfaces instead of being retried forever.
 */
import { HBaseError } from './client.ts';

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'UND_ERR_SOCKET']);

export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 410 || status === 429;
}

/** `what`: the operation, for the message (`put 120 rows into experiment_counts`). */
export function classify(error: unknown, what: string): HBaseError {
  if (error instanceof HBaseError) return error;
  const e = error as { code?: unknown; message?: unknown; body?: unknown } | null;
  const code = e?.code;
  const detail = typeof e?.body === 'string' && e.body.trim() ? `: ${e.body.trim().slice(0, 300)}` : '';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (typeof code === 'number') return new HBaseError(`hbase ${what}: HTTP ${message}${detail}`, isTransientStatus(code), code, { cause: error });
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return new HBaseError(`hbase ${what}: ${code} ${message}`, true, undefined, { cause: error });
  if (message === 'socket hang up' || /aborted|timed? ?out/i.test(message)) return new HBaseError(`hbase ${what}: ${message}`, true, undefined, { cause: error });
  return new HBaseError(`hbase ${what}: ${message}`, false, undefined, { cause: error });
}
