import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace } from '@opentelemetry/api';
import { BatchBuilder, PermanentSinkError, TransientSinkError } from '../../core/api/index.ts';
import type { Logger, RecordError } from '../../core/api/index.ts';
import { getCodec } from '../../core/runtime/codec/index.ts';
import { createExpressionCompiler } from '../../core/runtime/expr/index.ts';
import { ensureContextManager } from '../../core/telemetry/sync-context.ts';
import { KafkaClientError } from '../../lib/kafka-client/client.ts';
import { FakeKafka } from '../../lib/kafka-client/fake-client.ts';
import { kafkaSink } from './index.ts';
import { KafkaSink } from './kafka-sink.ts';
import { checkKafkaSink, kafkaSinkSpec } from './spec.ts';
import type { KafkaSinkConfig } from './spec.ts';
import { compileTemplate } from './template.ts';

const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger };
const expressions = createExpressionCompiler();

function config(over: Partial<KafkaSinkConfig> = {}): KafkaSinkConfig {
  return {
    brokers: ['127.0.0.1:9092'], topic: 'out', acks: 'all', idempotent: true, compression: 'none', batch_size: 10_000,
    ack_timeout: 30_000, change_field: 'op', connection_timeout: 10_000, request_timeout: 30_000,
    exactly_once: false, transaction_timeout: 120_000, max_held_bytes: 16_777_216, ...over,
  };
}

async function make(kafka: FakeKafka, over: Partial<KafkaSinkConfig> = {}, codec: 'json' | 'raw' = 'json') {
  const c = config(over);
  const sink = new KafkaSink({
    id: 'out', config: c, client: kafka, codec: getCodec(codec), encodeOptions: {}, logger,
    key: c.key === undefined ? undefined : compileTemplate(c.key, 'key', expressions),
    headers: Object.entries(c.headers ?? {}).map(([n, t]) => [n, compileTemplate(t, `header '${n}'`, expressions)] as const),
  });
  await sink.open(undefined);
  return sink;
}

function rows(...values: Record<string, unknown>[]) {
  const b = new BatchBuilder();
  for (const v of values) b.push(v, 1);
  return b.take();
}

void test('one send per batch, keyed and with headers from templates; records that fail are rejected, the rest sent', async () => {
  const kafka = new FakeKafka();
  const sink = await make(kafka, { key: '{user_id}', headers: { exp: '{experiment_id}/{group}', origin: 'sluice', n: '{size(items)}' } });
  const result = await sink.write(rows(
    { user_id: 'u1', experiment_id: 'e1', group: 'a', items: [1] },
    { experiment_id: 'e1', group: 'a', items: [] },
    { user_id: 'u2', experiment_id: 'e2', group: 'b', items: [1, 2], big: 1n },
    { user_id: 7, experiment_id: 'e2', group: 'b', items: [1, 2] },
  ));
  assert.equal(kafka.sends.length, 1);
  assert.deepEqual(kafka.producerOptions[0], { idempotent: true, acks: -1, compression: 'none', timeoutMs: 30_000 });
  assert.deepEqual(kafka.sends[0]!.messages, [
    { key: 'u1', value: '{"user_id":"u1","experiment_id":"e1","group":"a","items":[1]}', headers: { exp: 'e1/a', origin: 'sluice', n: '1' } },
    { key: '7', value: '{"user_id":7,"experiment_id":"e2","group":"b","items":[1,2]}', headers: { exp: 'e2/b', origin: 'sluice', n: '2' } },
  ]);
  const rejected = result && result.rejected;
  assert.deepEqual(rejected?.map((r) => [r.index, (r.error as RecordError).reason]), [[1, 'key_error'], [2, 'encode_error']]);
  assert.match((rejected![0]!.error as Error).message, /key "\{user_id\}": 'user_id' is missing/);
  await sink.close();
});

void test('a batch larger than batch_size goes out as several sends in order; no key means null keys', async () => {
  const kafka = new FakeKafka();
  const sink = await make(kafka, { batch_size: 2, create_topics: { partitions: 3, replication_factor: 1 } });
  assert.equal(kafka.topics.get('out')?.length, 3);
  await sink.write(rows({ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }, { i: 4 }));
  assert.deepEqual(kafka.sends.map((s) => s.messages.map((m) => [m.key, m.value])), [
    [[null, '{"i":0}'], [null, '{"i":1}']],
    [[null, '{"i":2}'], [null, '{"i":3}']],
    [[null, '{"i":4}']],
  ]);
  await sink.close();
});

void test('codec raw sends the message field as the value', async () => {
  const kafka = new FakeKafka();
  const sink = await make(kafka, {}, 'raw');
  const result = await sink.write(rows({ message: '{"cut json' }, { other: 1 }));
  assert.deepEqual(kafka.sends[0]!.messages, [{ key: null, value: '{"cut json' }]);
  assert.deepEqual(result && result.rejected?.map((r) => r.index), [1]);
  await sink.close();
});

void test('retriable client errors are transient, the others permanent', async () => {
  const kafka = new FakeKafka();
  const sink = await make(kafka);
  kafka.failNextSend = new KafkaClientError('broker down', { retriable: true, kafkaCode: 'KafkaJSConnectionError' });
  await assert.rejects(sink.write(rows({ a: 1 })), (e) => e instanceof TransientSinkError && /\[KafkaJSConnectionError\]: broker down/.test(e.message));
  kafka.failNextSend = new KafkaClientError('too large', { retriable: false, kafkaCode: 'MESSAGE_TOO_LARGE' });
  await assert.rejects(sink.write(rows({ a: 1 })), (e) => e instanceof PermanentSinkError && /MESSAGE_TOO_LARGE/.test(e.message));
  kafka.failNextSend = new KafkaClientError('denied', { retriable: false, kafkaCode: 'TOPIC_AUTHORIZATION_FAILED' });
  await assert.rejects(sink.write(rows({ a: 1 })), PermanentSinkError);
  kafka.failNextSend = new Error('something unexpected');
  await assert.rejects(sink.write(rows({ a: 1 })), TransientSinkError);
  await sink.write(rows({ a: 2 }));
  assert.equal(kafka.sends.length, 1);
  await sink.close();
});

void test('the active span\'s W3C trace context becomes a traceparent header on every message of the batch', async () => {
  ensureContextManager();
  const kafka = new FakeKafka();
  const sink = await make(kafka, { headers: { h: 'x' } });
  const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
  const ctx = trace.setSpanContext(context.active(), spanContext);
  await context.with(ctx, () => sink.write(rows({ a: 1 }, { a: 2 })));
  await sink.write(rows({ a: 3 }));
  const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  assert.deepEqual(kafka.sends.map((s) => s.messages.map((m) => m.headers)), [[{ traceparent: tp, h: 'x' }, { traceparent: tp, h: 'x' }], [{ h: 'x' }]]);
  await sink.close();
});

void test('config: idempotence needs acks all; the plugin compiles templates and refuses a bad one at create', async () => {
  assert.deepEqual(checkKafkaSink(config()), []);
  assert.match(checkKafkaSink(config({ acks: 'leader' }))[0]!.message, /idempotent producer needs `acks: all`/);
  assert.deepEqual(checkKafkaSink(config({ acks: 'leader', idempotent: false })), []);
  assert.equal(kafkaSinkSpec.fields.sasl.fields.password.secret, true);
  const ctx = {
    id: 'out', job: 'j', config: config({ key: '{user_id' }), deps: {}, logger, codec: getCodec('json'),
    input: { changelog: { mode: 'append' as const } }, expressions,
  };
  await assert.rejects(Promise.resolve().then(() => kafkaSink.create(ctx)), /unclosed '\{'/);
});
