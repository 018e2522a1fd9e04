/**
 * Classifies NATS client and JetStream errors for sinks: a retry may fix a lost or slow
 * connection, a missing responder (the stream is electing a leader, the server restarts) or
 * a JetStream 5xx; it cannot fix a permission, a bad subject or a JetStream 4xx.
 * Errors are told apart by `name` (and JetStream's `code`), which the client sets, so the
 * classification works on the client's errors and on test fakes alike.
 */

const TRANSIENT = new Set([
  'TimeoutError',
  'ConnectionError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'NoResponders',
  'NoRespondersError',
  'RequestError',
  'JetStreamNotEnabled',
  'UserAuthenticationExpiredError',
]);

const PERMANENT = new Set(['PermissionViolationError', 'AuthorizationError', 'InvalidSubjectError', 'InvalidArgumentError', 'ProtocolError']);

export type NatsErrorClass = 'transient' | 'permanent';

/** `transient` or `permanent`; an error the client does not name is transient (an I/O hiccup). */
export function classifyNatsError(error: unknown): NatsErrorClass {
  const e = error as { name?: unknown; code?: unknown; status?: unknown } | null;
  const name = typeof e?.name === 'string' ? e.name : '';
  if (PERMANENT.has(name)) return 'permanent';
  if (TRANSIENT.has(name)) return 'transient';
  if (name === 'JetStreamApiError' || name === 'StreamNotFoundError' || name === 'ConsumerNotFoundError') {
    const status = typeof e?.status === 'number' ? e.status : typeof e?.code === 'number' ? e.code : 500;
    return jetStreamStatusClass(status);
  }
  return 'transient';
}

/** A JetStream API error code (HTTP-like): 408, 429 and 5xx may heal; other 4xx do not. */
export function jetStreamStatusClass(code: number): NatsErrorClass {
  return code === 408 || code === 429 || code >= 500 ? 'transient' : 'permanent';
}
