import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logLevel } from 'kafkajs';
import type { Batch } from 'kafkajs';
import type { Logger } from '../../core/api/index.ts';
import { toFetchedBatch } from './kafkajs-client.ts';
import { kafkajsLogCreator } from './kafkajs-logger.ts';

void test('a kafkajs batch becomes parallel arrays: numeric offsets and timestamps, text keys and headers, empty null values', () => {
  const batch = {
    topic: 't', partition: 2, highWatermark: '12',
    messages: [
      { offset: '10', timestamp: '1700000000000', key: Buffer.from('k'), value: Buffer.from('{"a":1}'), headers: { traceparent: Buffer.from('00-aa-bb-01'), multi: [Buffer.from('x'), 'y'] }, attributes: 0 },
      { offset: '11', timestamp: '1700000000001', key: null, value: null, attributes: 0 },
    ],
  } as unknown as Batch;
  const b = toFetchedBatch(batch);
  assert.deepEqual({ ...b, values: b.values.map((v) => Buffer.from(v).toString()) }, {
    topic: 't', partition: 2, length: 2, offsets: [10, 11], timestamps: [1_700_000_000_000, 1_700_000_000_001],
    values: ['{"a":1}', ''], keys: ['k', null], headers: [{ traceparent: '00-aa-bb-01', multi: 'y' }, undefined], highWatermark: 12,
    traceparents: [{ index: 0, value: '00-aa-bb-01' }],
  });
  // Without keys and headers (`_meta` off), the traceparent probes are read all the same.
  const bare = toFetchedBatch(batch, false);
  assert.deepEqual([bare.keys, bare.headers, bare.traceparents], [[], [], [{ index: 0, value: '00-aa-bb-01' }]]);
});

void test('kafkajs log lines go to the plugin logger: retried request errors as warnings, info as debug', () => {
  const seen: string[] = [];
  const logger: Logger = {
    debug: (m, a) => void seen.push(`debug ${m} ${JSON.stringify(a)}`),
    info: (m) => void seen.push(`info ${m}`),
    warn: (m, a) => void seen.push(`warn ${m} ${JSON.stringify(a)}`),
    error: (m, a) => void seen.push(`error ${m} ${JSON.stringify(a)}`),
    child: () => logger,
  };
  const log = kafkajsLogCreator(logger)(logLevel.INFO);
  const entry = (namespace: string, level: logLevel, message: string) => ({ namespace, level, label: '', log: { message, timestamp: 'now', logger: 'kafkajs', broker: 'b:1' } });
  log(entry('Connection', logLevel.ERROR, 'Response Metadata'));
  log(entry('Consumer', logLevel.ERROR, 'Crash'));
  log(entry('Consumer', logLevel.WARN, 'rebalancing'));
  log(entry('Consumer', logLevel.INFO, 'Starting'));
  assert.deepEqual(seen, [
    'warn Response Metadata {"kafkajs":"Connection","broker":"b:1"}',
    'error Crash {"kafkajs":"Consumer","broker":"b:1"}',
    'warn rebalancing {"kafkajs":"Consumer","broker":"b:1"}',
    'debug Starting {"kafkajs":"Consumer","broker":"b:1"}',
  ]);
});
