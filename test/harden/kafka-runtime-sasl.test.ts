/**
 * Issue 12: the runtime config's `kafka.sasl.*` was documented (config/schema.ts) but nothing
 * read it. Now a Kafka block without its own `sasl` connects with it when its username is
 * set; a block's own `sasl` wins; an empty username means no authentication.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toConnection } from '../../lib/kafka-client/connection-spec.ts';
import { runtimeSasl, useRuntimeSasl } from '../../lib/kafka-client/runtime-sasl.ts';
import { newRuntimeConfig } from '../../config/schema.ts';
import { sluice } from '../cli/sluice.ts';

const block = { brokers: ['k:9092'], connection_timeout: 1000, request_timeout: 2000 };

afterEach(() => useRuntimeSasl(undefined));

void test('a block without sasl gets the runtime config kafka.sasl', async () => {
  const cfg = newRuntimeConfig();
  cfg.load({ kafka: { sasl: { mechanism: 'scram-sha-256', username: 'deploy', password: 'pw-runtime' } } });
  useRuntimeSasl(cfg.getProperties().kafka.sasl);
  const c = await toConnection(block, 'sluice-j-in');
  assert.deepEqual(c.sasl, { mechanism: 'scram-sha-256', username: 'deploy', password: 'pw-runtime' });
});

void test("a block's own sasl wins over the runtime default", async () => {
  useRuntimeSasl({ mechanism: 'scram-sha-256', username: 'deploy', password: 'pw-runtime' });
  const c = await toConnection({ ...block, sasl: { mechanism: 'plain', username: 'own', password: 'pw-own' } }, 'x');
  assert.deepEqual(c.sasl, { mechanism: 'plain', username: 'own', password: 'pw-own' });
});

void test('an empty runtime username (the default) means no authentication', async () => {
  useRuntimeSasl(newRuntimeConfig().getProperties().kafka.sasl);
  assert.equal(runtimeSasl(), undefined);
  assert.equal((await toConnection(block, 'x')).sasl, undefined);
});

void test('sluice run hands SLUICE_KAFKA_SASL_* to the kafka sink (the local broker has no SASL, so it refuses), and never prints the password', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-sasl-'));
  const topic = `harden2-sasl-${randomBytes(4).toString('hex')}`;
  writeFileSync(join(cwd, 'in.jsonl'), '{"id":1}\n{"id":2}\n');
  writeFileSync(join(cwd, 'p.yaml'), `name: harden2_sasl\nsources:\n  events: { file: { path: in.jsonl } }\nsinks:\n  out: { input: events, kafka: { brokers: ["127.0.0.1:9092"], topic: ${topic}, connection_timeout: 2s, create_topics: {} } }\n`);
  const env = { SLUICE_RESTART_MAX_ATTEMPTS: '0' };
  const withSasl = await sluice(['run', 'p.yaml'], { cwd, env: { ...env, SLUICE_KAFKA_SASL_USERNAME: 'u', SLUICE_KAFKA_SASL_PASSWORD: 'pw-never-shown' } });
  assert.notEqual(withSasl.code, 0);
  assert.match(withSasl.stderr, /SASL/);
  assert.doesNotMatch(withSasl.stdout + withSasl.stderr, /pw-never-shown/);
  const plain = await sluice(['run', 'p.yaml'], { cwd, env });
  assert.equal(plain.code, 0, plain.stderr.slice(-2000));
});
