import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Locator, validateConfig } from '../../core/runtime/spec/index.ts';
import { ackWaitMs, checkJetStreamSource, jetStreamSourceSpec } from './spec.ts';
import type { JetStreamSourceConfig } from './spec.ts';

const parse = (raw: Record<string, unknown>) => validateConfig(jetStreamSourceSpec, raw, { locator: Locator.empty('<nats_jetstream>'), path: [] });

void test('defaults; durations in ms; unknown keys and bad names rejected', () => {
  const { value, issues } = parse({ stream: 'ORDERS', durable: 'job-1', tls: { ca_file: 'ca.pem' } });
  assert.deepEqual(issues, []);
  const c = value as JetStreamSourceConfig;
  assert.deepEqual([c.servers, c.start, c.max_wait, c.poll_wait, c.checkpoint_interval, c.max_ack_pending, c.create_stream], [['127.0.0.1:4222'], 'all', 1000, 50, 10_000, 100_000, false]);
  assert.equal(c.tls?.ca_file, 'ca.pem');
  const bad = parse({ stream: 'A.B', durable: 'x y', start: 'first', nope: 1 }).issues.map((i) => i.path.join('.'));
  assert.deepEqual(bad.sort(), ['durable', 'nope', 'start', 'stream']);
});

void test('create_stream needs subjects; the ack wait spans three checkpoint intervals and a margin', () => {
  const config = (raw: Record<string, unknown>) => parse(raw).value as JetStreamSourceConfig;
  assert.deepEqual(checkJetStreamSource(config({ stream: 'S', create_stream: true })).map((i) => i.path.join('.')), ['subjects']);
  assert.deepEqual(checkJetStreamSource(config({ stream: 'S', create_stream: true, subjects: ['s.>'] })), []);
  assert.equal(ackWaitMs(config({ stream: 'S', checkpoint_interval: '1m' })), 210_000);
});
