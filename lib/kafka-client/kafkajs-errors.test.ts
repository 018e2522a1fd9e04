import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaClientError } from './client.ts';
import { fromKafkajsError } from './kafkajs-errors.ts';

const err = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name, ...extra });

void test('protocol errors decide by Kafka\'s retriable flag, also when wrapped by exhausted retries', () => {
  const denied = fromKafkajsError(err('KafkaJSProtocolError', { type: 'TOPIC_AUTHORIZATION_FAILED', retriable: false }));
  assert.deepEqual([denied.retriable, denied.kafkaCode], [false, 'TOPIC_AUTHORIZATION_FAILED']);
  const tooLarge = fromKafkajsError(err('KafkaJSNumberOfRetriesExceeded', { retriable: false, originalError: err('KafkaJSProtocolError', { type: 'MESSAGE_TOO_LARGE', retriable: false }) }));
  assert.deepEqual([tooLarge.retriable, tooLarge.kafkaCode], [false, 'MESSAGE_TOO_LARGE']);
  const leader = fromKafkajsError(err('KafkaJSNumberOfRetriesExceeded', { retriable: false, originalError: err('KafkaJSProtocolError', { type: 'NOT_LEADER_OR_FOLLOWER', retriable: true }) }));
  assert.deepEqual([leader.retriable, leader.kafkaCode], [true, 'NOT_LEADER_OR_FOLLOWER']);
  const invalid = fromKafkajsError(err('KafkaJSCreateTopicError', { type: 'INVALID_TOPIC_EXCEPTION', retriable: false }));
  assert.equal(invalid.retriable, false);
});

void test('connection trouble is retriable, SASL and other non-retriable errors are not', () => {
  const down = fromKafkajsError(err('KafkaJSNumberOfRetriesExceeded', { retriable: false, originalError: err('KafkaJSConnectionError', { retriable: true }) }));
  assert.deepEqual([down.retriable, down.kafkaCode], [true, 'KafkaJSConnectionError']);
  assert.equal(fromKafkajsError(err('KafkaJSRequestTimeoutError')).retriable, true);
  assert.equal(fromKafkajsError(err('KafkaJSNumberOfRetriesExceeded')).retriable, true);
  const sasl = fromKafkajsError(err('KafkaJSSASLAuthenticationError', { retriable: false }));
  assert.deepEqual([sasl.retriable, sasl.kafkaCode], [false, 'KafkaJSSASLAuthenticationError']);
  assert.equal(fromKafkajsError(err('KafkaJSNonRetriableError', { retriable: false })).retriable, false);
  assert.equal(fromKafkajsError(err('KafkaJSError', { retriable: true })).retriable, true);
  const same = new KafkaClientError('x', { retriable: false, kafkaCode: 'X' });
  assert.equal(fromKafkajsError(same), same);
  assert.match(fromKafkajsError('plain string').message, /plain string/);
});
