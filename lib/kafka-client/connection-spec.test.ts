import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePartitionName, partitionName } from './client.ts';
import { brokerList, connectionFields, toConnection } from './connection-spec.ts';

const base = { connection_timeout: 1000, request_timeout: 2000 };

void test('brokers split on commas; client id defaults; no SASL or TLS unless configured', async () => {
  assert.deepEqual(brokerList(['a:1, b:2', 'c:3', ' ']), ['a:1', 'b:2', 'c:3']);
  assert.deepEqual(await toConnection({ ...base, brokers: ['a:1,b:2'] }, 'sluice-j-in'), {
    brokers: ['a:1', 'b:2'], clientId: 'sluice-j-in', connectionTimeoutMs: 1000, requestTimeoutMs: 2000,
  });
  const off = await toConnection({ ...base, brokers: ['a:1'], client_id: 'mine', tls: { enabled: false, reject_unauthorized: true } }, 'x');
  assert.equal(off.clientId, 'mine');
  assert.equal(off.tls, undefined);
  assert.equal(connectionFields.sasl.fields.password.secret, true);
});

void test('SASL credentials pass through; TLS reads the PEM files it names', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-kafka-tls-'));
  await writeFile(join(dir, 'ca.pem'), 'CA PEM');
  await writeFile(join(dir, 'key.pem'), 'KEY PEM');
  const c = await toConnection({
    ...base, brokers: ['a:1'],
    sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    tls: { enabled: true, ca: join(dir, 'ca.pem'), key: join(dir, 'key.pem'), reject_unauthorized: false },
  }, 'x');
  assert.deepEqual(c.sasl, { mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  assert.deepEqual(c.tls, { rejectUnauthorized: false, ca: 'CA PEM', key: 'KEY PEM' });
  await assert.rejects(toConnection({ ...base, brokers: ['a:1'], tls: { enabled: true, ca: join(dir, 'missing.pem'), reject_unauthorized: true } }, 'x'), /ENOENT/);
});

void test('partition names round-trip', () => {
  assert.equal(partitionName('a.b-c', 3), 'a.b-c:3');
  assert.deepEqual(parsePartitionName('a.b-c:3'), { topic: 'a.b-c', partition: 3 });
  assert.throws(() => parsePartitionName(':3'), /not a/);
  assert.throws(() => parsePartitionName('t:x'), /not a/);
});
