import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyNatsError, jetStreamStatusClass } from './errors.ts';
import { parseAckSubject } from './ack-subject.ts';
import { connectionOptions } from './connection.ts';

const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name }, extra);

void test('connection trouble and timeouts are transient; permissions and bad subjects permanent; JetStream by status', () => {
  for (const n of ['TimeoutError', 'ConnectionError', 'ClosedConnectionError', 'NoResponders', 'RequestError']) assert.equal(classifyNatsError(named(n)), 'transient', n);
  for (const n of ['PermissionViolationError', 'AuthorizationError', 'InvalidSubjectError', 'InvalidArgumentError']) assert.equal(classifyNatsError(named(n)), 'permanent', n);
  assert.equal(classifyNatsError(named('JetStreamApiError', { status: 503 })), 'transient');
  assert.equal(classifyNatsError(named('JetStreamApiError', { status: 400 })), 'permanent');
  assert.equal(classifyNatsError(named('StreamNotFoundError', { status: 404 })), 'permanent');
  assert.equal(classifyNatsError(new Error('socket hang up')), 'transient');
  assert.equal(classifyNatsError(undefined), 'transient');
  assert.deepEqual([408, 429, 500, 503, 400, 404, 413].map(jetStreamStatusClass), ['transient', 'transient', 'transient', 'transient', 'permanent', 'permanent', 'permanent']);
});

void test('ack subjects of 2.9 and of 2.10+ servers give sequence, deliveries and the stored time', () => {
  assert.deepEqual(parseAckSubject('$JS.ACK.ORDERS.c1.2.1234.7.1700000000123456789.9'), { streamSeq: 1234, delivered: 2, timestampMs: 1700000000123 });
  assert.deepEqual(parseAckSubject('$JS.ACK.hub.ACCHASH.ORDERS.c1.1.55.3.1700000000999000000.0.tok'), { streamSeq: 55, delivered: 1, timestampMs: 1700000000999 });
  for (const bad of [undefined, '', '_INBOX.x', '$JS.ACK.a.b', '$JS.ACK.S.c.x.y.z.1.0']) assert.equal(parseAckSubject(bad), undefined, String(bad));
});

void test('connection options map user, password, token and TLS files', () => {
  const base = { servers: ['a:4222', 'b:4222'], connect_timeout: 2000 };
  assert.deepEqual(connectionOptions(base, 'n'), { servers: ['a:4222', 'b:4222'], name: 'n', timeout: 2000, maxReconnectAttempts: -1 });
  const full = connectionOptions({ ...base, user: 'u', password: 'p', token: 't', tls: { ca_file: 'ca.pem', cert_file: 'c.pem', key_file: 'k.pem' } }, 'n');
  assert.equal(full.user, 'u');
  assert.equal(full.pass, 'p');
  assert.equal(full.token, 't');
  assert.deepEqual(full.tls, { caFile: 'ca.pem', certFile: 'c.pem', keyFile: 'k.pem' });
  assert.deepEqual(connectionOptions({ ...base, tls: {} }, 'n').tls, {});
});
