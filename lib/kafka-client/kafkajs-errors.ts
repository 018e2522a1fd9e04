/**
 * kafkajs errors → `KafkaClientError` with a retriable flag. kafkajs wraps the error that
 * exhausted its own retries (`KafkaJSNumberOfRetriesExceeded`, marked non-retriable) around
 * the real cause, so the chain is walked: a broker's protocol error decides by Kafka's own
 * retriable flag; connection, timeout and "no broker" errors are retriable; SASL
 * authentication and any other non-retriable error are not.
 */
import { KafkaClientError } from './client.ts';

interface KafkajsLike {
  name?: string;
  message?: string;
  type?: string;
  retriable?: boolean;
  originalError?: unknown;
  cause?: unknown;
}

const TRANSIENT_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSStaleTopicMetadataAssignment',
]);

/** Classifies any error thrown by kafkajs (idempotent on a `KafkaClientError`). */
export function fromKafkajsError(error: unknown): KafkaClientError {
  if (error instanceof KafkaClientError) return error;
  const chain: KafkajsLike[] = [];
  let e: unknown = error;
  while (e && typeof e === 'object' && chain.length < 8) {
    chain.push(e as KafkajsLike);
    e = (e as KafkajsLike).originalError ?? (e as KafkajsLike).cause;
  }
  const message = (error as KafkajsLike | undefined)?.message ?? String(error);
  const protocol = chain.find((x) => typeof x.type === 'string' && x.type.length > 0);
  if (protocol) return new KafkaClientError(message, { retriable: protocol.retriable === true, kafkaCode: protocol.type!, cause: error });
  const transient = chain.find((x) => x.name !== undefined && TRANSIENT_NAMES.has(x.name));
  if (transient) return new KafkaClientError(message, { retriable: true, kafkaCode: transient.name!, cause: error });
  const top = chain[0];
  if (top?.name === 'KafkaJSNumberOfRetriesExceeded') return new KafkaClientError(message, { retriable: true, kafkaCode: top.name, cause: error });
  // Errors kafkajs marks retriable (its base class) are; the rest (SASL, validation, …) are not.
  const retriable = top?.retriable === true;
  return new KafkaClientError(message, { retriable, kafkaCode: top?.name ?? 'unknown', cause: error });
}
