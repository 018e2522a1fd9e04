import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metrics } from '@opentelemetry/api';
import type { Logger, SourceChunk } from '../../core/api/index.ts';
import { FakeKafka } from '../../lib/kafka-client/fake-client.ts';
import type { FakeConsumer } from '../../lib/kafka-client/fake-client.ts';
import { KafkaSource } from './kafka-source.ts';
import { checkKafkaSource } from './spec.ts';
import type { KafkaSourceConfig } from './spec.ts';

const warnings: string[] = [];
const logger: Logger = {
  debug: () => undefined, info: () => undefined, error: () => undefined,
  warn: (m) => void warnings.push(m),
  child: () => logger,
};

function config(over: Partial<KafkaSourceConfig> = {}): KafkaSourceConfig {
  return {
    brokers: ['127.0.0.1:9092'], topic: 't', start: 'earliest', max_buffered: 100, max_bytes_per_partition: 1_048_576, max_bytes: 10_485_760,
    session_timeout: 30_000, join_timeout: 60_000, meta: true, connection_timeout: 10_000, request_timeout: 30_000, ...over,
  };
}

async function open(kafka: FakeKafka, over: Partial<KafkaSourceConfig> = {}, position?: unknown) {
  const source = new KafkaSource({ id: 'in', job: 'j', config: config(over), client: kafka, logger, emptyPollWaitMs: 1 });
  await source.open(position);
  return { source, consumer: kafka.consumers[kafka.consumers.length - 1]! as FakeConsumer };
}

const texts = (c: SourceChunk) => c.payloads!.map((p) => new TextDecoder().decode(p as Uint8Array));

void test('poll hands each partition\'s fetched batch over as a payload chunk with times, offsets and _meta', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('t', 2);
  kafka.append('t', 0, ['{"a":0}', '{"a":1}'], { key: 'k0', timestamp: 500, headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', x: 'y' } });
  kafka.append('t', 1, ['{"b":0}']);
  const { source, consumer } = await open(kafka);
  assert.deepEqual(source.partitions(), ['t:0', 't:1']);
  assert.equal(consumer.options.groupId, 'sluice.j.in');
  assert.equal(consumer.options.fromBeginning, true);
  assert.deepEqual(await source.poll(10), []);
  consumer.deliver();
  const chunks = (await source.poll(10))!;
  assert.deepEqual(chunks.map((c) => [c.partition, texts(c), c.offsets, c.times]), [
    ['t:0', ['{"a":0}', '{"a":1}'], [0, 1], [500, 500]],
    ['t:1', ['{"b":0}'], [0], [1000]],
  ]);
  assert.deepEqual(chunks[0]!.meta![1], {
    key: 'k0', topic: 't', partition: 0, offset: 1, timestamp: 500,
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', x: 'y' },
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  });
  assert.deepEqual(chunks[1]!.meta![0], { key: null, headers: {}, topic: 't', partition: 1, offset: 0, timestamp: 1000 });
  assert.deepEqual(source.position(), { 't:0': 2, 't:1': 1 });
  await source.close();
  assert.equal(consumer.closed, true);
});

void test('poll takes at most maxRecords, shared over partitions, and the position follows only what was returned', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('t', 2);
  kafka.append('t', 0, Array.from({ length: 10 }, (_, i) => `{"p":0,"i":${i}}`));
  kafka.append('t', 1, Array.from({ length: 10 }, (_, i) => `{"p":1,"i":${i}}`));
  const { source, consumer } = await open(kafka, { meta: false });
  consumer.deliver();
  const first = (await source.poll(6))!;
  assert.equal(first.reduce((n, c) => n + c.payloads!.length, 0), 6);
  assert.equal(first[0]!.meta, undefined);
  assert.deepEqual(source.position(), { 't:0': 3, 't:1': 3 });
  let total = 6;
  for (let i = 0; i < 10 && total < 20; i++) total += (await source.poll(4))!.reduce((n, c) => n + c.payloads!.length, 0);
  assert.equal(total, 20);
  assert.deepEqual(source.position(), { 't:0': 10, 't:1': 10 });
  await source.close();
});

void test('a full buffer pauses its partition and draining half of it resumes it; the gauges read the state', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('t', 2);
  kafka.append('t', 0, Array.from({ length: 30 }, (_, i) => `{"i":${i}}`));
  kafka.append('t', 1, ['{"i":0}']);
  const { source, consumer } = await open(kafka, { max_buffered: 10 });
  consumer.deliver(12);
  assert.deepEqual(consumer.pauseCalls, ['t:0']);
  assert.equal(consumer.held, undefined, 'a partition still fetching: the consumer is not held');
  assert.equal(consumer.deliver(12), 0, 'a paused partition is not fetched');
  assert.deepEqual(source.readings(), [
    { topic: 't', partition: 0, paused: true, lag: 30 },
    { topic: 't', partition: 1, paused: false, lag: 1 },
  ]);
  await source.poll(4); // t:0 keeps 10 (12 - 2), t:1 empties
  assert.deepEqual(consumer.resumeCalls, []);
  await source.poll(10); // t:0 drops to 0: resumed
  assert.deepEqual(consumer.resumeCalls, ['t:0']);
  assert.deepEqual(source.readings().map((r) => [r.paused, r.lag]), [[false, 30 - 12], [false, 0]]);
  assert.equal(consumer.deliver(100), 18);
  await source.close();
});

void test('while every assigned partition is paused the consumer is held; the first resume releases it', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('t', 2);
  for (const p of [0, 1]) kafka.append('t', p, Array.from({ length: 30 }, (_, i) => `{"p":${p},"i":${i}}`));
  const { source, consumer } = await open(kafka, { max_buffered: 10 });
  consumer.deliver(12);
  assert.deepEqual(consumer.pauseCalls, ['t:0', 't:1']);
  const held = consumer.held;
  assert.ok(held, 'the batch that paused the last partition holds the fetching');
  let released = false;
  void held.then(() => (released = true));
  await source.poll(4); // 2 from each: both still above half
  assert.equal(released, false);
  await source.poll(10); // both drop to half: resumed
  await Promise.resolve();
  assert.equal(released, true);
  assert.deepEqual([...consumer.resumeCalls].sort(), ['t:0', 't:1']);
  await source.close();
});

void test('close releases a hold (the consumer can stop)', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('t', 1);
  kafka.append('t', 0, Array.from({ length: 5 }, (_, i) => `{"i":${i}}`));
  const { source, consumer } = await open(kafka, { max_buffered: 2 });
  consumer.deliver(5);
  const held = consumer.held;
  assert.ok(held);
  await source.close();
  await held;
});

void test('open seeks to the checkpointed offsets; a partition the position does not list begins at its earliest offset, never at the group\'s committed one', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('t', 3);
  for (const p of [0, 1, 2]) kafka.append('t', p, Array.from({ length: 5 }, (_, i) => `{"p":${p},"i":${i}}`));
  // Another instance of the source (a task's old owner) committed past this checkpoint.
  kafka.committed.set('g', new Map([['t:1', 4]]));
  const { source, consumer } = await open(kafka, { group_id: 'g', start: 'latest' }, { 't:0': 2 });
  assert.deepEqual(Object.fromEntries(consumer.positions), { 't:0': 2, 't:1': 0, 't:2': 0 });
  assert.deepEqual(source.position(), { 't:0': 2, 't:1': 0, 't:2': 0 });
  consumer.deliver();
  const chunks = (await source.poll(100))!;
  assert.deepEqual(chunks.map((c) => [c.partition, c.offsets]), [['t:0', [2, 3, 4]], ['t:1', [0, 1, 2, 3, 4]], ['t:2', [0, 1, 2, 3, 4]]]);
  assert.deepEqual(source.position(), { 't:0': 5, 't:1': 5, 't:2': 5 });
  await assert.rejects(new KafkaSource({ id: 'in', job: 'j', config: config(), client: kafka, logger }).open({ 't:0': -1 }), /bad offset/);
  await assert.rejects(new KafkaSource({ id: 'in', job: 'j', config: config(), client: kafka, logger }).open({ nocolon: 1 }), /not a '<topic>:<partition>'/);
  await source.close();
});

void test('a fresh start lists every partition from the start (at `start`), so a checkpoint before the first record still says where each begins', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('t', 2);
  kafka.append('t', 0, ['{}', '{}', '{}']);
  const earliest = await open(kafka, { group_id: 'e' });
  assert.deepEqual(earliest.source.position(), { 't:0': 0, 't:1': 0 });
  await earliest.source.close();
  const latest = await open(kafka, { group_id: 'l', start: 'latest' });
  assert.deepEqual(latest.source.position(), { 't:0': 3, 't:1': 0 });
  kafka.append('t', 0, ['{"after":1}']);
  latest.consumer.deliver();
  const chunks = (await latest.source.poll(10))!;
  assert.deepEqual(chunks.map((c) => [c.partition, c.offsets]), [['t:0', [3]]]);
  await latest.source.close();
});

void test('offsets are committed only through onCheckpointComplete; a failed commit is logged, not thrown', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('t', 1);
  kafka.append('t', 0, ['{}', '{}', '{}']);
  const { source, consumer } = await open(kafka, { group_id: 'g' });
  consumer.deliver();
  await source.poll(2);
  const position = source.position();
  await source.poll(2);
  assert.equal(kafka.committed.get('g'), undefined);
  await source.onCheckpointComplete(position);
  assert.deepEqual(Object.fromEntries(kafka.committed.get('g')!), { 't:0': 2 });
  kafka.failNextCommit = new Error('coordinator moved');
  await source.onCheckpointComplete(source.position());
  assert.deepEqual(Object.fromEntries(kafka.committed.get('g')!), { 't:0': 2 });
  assert.match(warnings.at(-1)!, /commit failed/);
  await source.close();
});

void test('a fetch that overlaps what is already buffered is cut; a consumer failure fails the next poll', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('t', 1);
  kafka.append('t', 0, ['{"i":0}', '{"i":1}', '{"i":2}']);
  const { source, consumer } = await open(kafka);
  consumer.deliver(2);
  consumer.seek({ topic: 't', partition: 0, offset: 1 }); // as after a re-join that lost the fetch position
  consumer.deliver();
  assert.deepEqual((await source.poll(10))!.map((c) => c.offsets), [[0, 1, 2]]);
  consumer.fail(new Error('group authorization failed'));
  await assert.rejects(source.poll(10), /group authorization failed/);
  await source.close();
});

void test('exactly one of topic and topics; topics are read together', async () => {
  assert.equal(checkKafkaSource(config()).length, 0);
  assert.match(checkKafkaSource(config({ topics: ['a'] }))[0]!.message, /exactly one/);
  assert.match(checkKafkaSource(config({ topic: undefined }))[0]!.message, /exactly one/);
  const kafka = new FakeKafka();
  kafka.createTopic('a', 1);
  kafka.createTopic('b', 1);
  const { source, consumer } = await open(kafka, { topic: undefined, topics: ['a', 'b', 'a'], create_topics: { partitions: 2, replication_factor: 1 } });
  assert.deepEqual(consumer.options.topics, ['a', 'b']);
  assert.deepEqual(source.partitions(), ['a:0', 'b:0']);
  await source.close();
});

void test('a fresh start refuses a group with committed offsets; --reset-state starts every partition at `start` instead', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('t', 2);
  for (const p of [0, 1]) kafka.append('t', p, ['{}', '{}', '{}']);
  kafka.committed.set('g', new Map([['t:1', 2]]));
  const fresh = new KafkaSource({ id: 'in', job: 'j', config: config({ group_id: 'g' }), client: kafka, logger });
  await assert.rejects(fresh.open(undefined), (e: Error & { code?: string }) => e.code === 'E_STATE_WITHOUT_CHECKPOINT' && /t:1@2/.test(e.message));
  const reset = new KafkaSource({ id: 'in', job: 'j', config: config({ group_id: 'g' }), client: kafka, logger, resetState: true, emptyPollWaitMs: 1 });
  await reset.open(undefined);
  const consumer = kafka.consumers[kafka.consumers.length - 1]! as FakeConsumer;
  assert.deepEqual(Object.fromEntries(consumer.positions), { 't:0': 0, 't:1': 0 });
  const latest = new KafkaSource({ id: 'in', job: 'j', config: config({ group_id: 'g', start: 'latest' }), client: kafka, logger, resetState: true });
  await latest.open(undefined);
  assert.deepEqual(latest.position(), { 't:0': 3, 't:1': 3 });
  await Promise.all([reset.close(), latest.close()]);
  // Without committed offsets a fresh start is fine.
  await (await open(kafka, { group_id: 'other' })).source.close();
});

void test('while a partition is paused, its lag keeps growing with the topic (high watermark read from the brokers)', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('t', 1);
  kafka.append('t', 0, Array.from({ length: 30 }, (_, i) => `{"i":${i}}`));
  const source = new KafkaSource({ id: 'in', job: 'j', config: config({ max_buffered: 10 }), client: kafka, logger, emptyPollWaitMs: 1, meter: metrics.getMeter('test'), lagRefreshMs: 5 });
  await source.open(undefined);
  const consumer = kafka.consumers[kafka.consumers.length - 1]! as FakeConsumer;
  consumer.deliver(12);
  assert.deepEqual(source.readings(), [{ topic: 't', partition: 0, paused: true, lag: 30 }]);
  kafka.append('t', 0, Array.from({ length: 20 }, () => '{}'));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(source.readings(), [{ topic: 't', partition: 0, paused: true, lag: 50 }], 'the 20 records written while paused count');
  await source.close();
});

void test('a poll that waited for a fetch returns every partition of it, not only the first delivered', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('t', 2);
  for (const p of [0, 1]) kafka.append('t', p, [`{"p":${p}}`]);
  const { source, consumer } = await open(kafka, { meta: false });
  consumer.pause([{ topic: 't', partition: 1 }]);
  const polled = source.poll(10);
  consumer.deliver(); // t:0 only; t:1 follows a few microtasks later, as a client hands over one response
  await Promise.resolve();
  consumer.resume([{ topic: 't', partition: 1 }]);
  consumer.deliver();
  assert.deepEqual((await polled)!.map((c) => c.partition), ['t:0', 't:1']);
  await source.close();
});
