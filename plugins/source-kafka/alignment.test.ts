/**
 * Watermark alignment in the `kafka` source (fake client): a paused partition's buffered
 * records are not returned and it is not fetched; resuming returns and fetches it again;
 * the buffer-full pause and the alignment pause are independent; the fetch hold counts
 * both but is never kept while a partition fetches (empty or not), and a resume ends it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger, SourceChunk } from '../../core/api/index.ts';
import { FakeKafka } from '../../lib/kafka-client/fake-client.ts';
import type { FakeConsumer } from '../../lib/kafka-client/fake-client.ts';
import { KafkaSource } from './kafka-source.ts';
import type { KafkaSourceConfig } from './spec.ts';

const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger };

const config = (maxBuffered: number): KafkaSourceConfig => ({
  brokers: ['127.0.0.1:9092'], topic: 't', start: 'earliest', max_buffered: maxBuffered, max_bytes_per_partition: 1_048_576, max_bytes: 10_485_760,
  session_timeout: 30_000, join_timeout: 60_000, meta: false, connection_timeout: 10_000, request_timeout: 30_000,
});

async function open(partitions: number, records: number, maxBuffered = 100) {
  const kafka = new FakeKafka();
  kafka.createTopic('t', partitions);
  for (let p = 0; p < partitions; p++) kafka.append('t', p, Array.from({ length: records }, (_, i) => `{"p":${p},"i":${i}}`));
  const source = new KafkaSource({ id: 'in', job: 'j', config: config(maxBuffered), client: kafka, logger, emptyPollWaitMs: 1 });
  await source.open(undefined);
  return { source, consumer: kafka.consumers[0]! as FakeConsumer };
}

const counts = (chunks: SourceChunk[] | null) => Object.fromEntries(chunks!.map((c) => [c.partition, c.offsets!.length]));

void test('a partition paused by alignment is neither returned nor fetched; resumed, it is both again', async () => {
  const { source, consumer } = await open(2, 10);
  consumer.deliver(4);
  source.pausePartitions(['t:1']);
  assert.deepEqual(consumer.pauseCalls, ['t:1']);
  assert.deepEqual(counts(await source.poll(100)), { 't:0': 4 }, 'the 4 buffered records of t:1 stay');
  assert.equal(consumer.deliver(100), 6, 'only t:0 is fetched');
  source.pausePartitions(['t:1']);
  assert.deepEqual(consumer.pauseCalls, ['t:1'], 'pausing twice calls the consumer once');
  source.resumePartitions(['t:1']);
  assert.deepEqual(consumer.resumeCalls, ['t:1']);
  assert.deepEqual(counts(await source.poll(100)), { 't:0': 6, 't:1': 4 });
  assert.equal(consumer.deliver(100), 6);
  assert.deepEqual(source.position(), { 't:0': 10, 't:1': 4 });
  await source.close();
});

void test('a full partition stays paused when alignment resumes it, and fetches again once drained', async () => {
  const { source, consumer } = await open(2, 30, 10);
  consumer.deliver(12); // both full: paused by the buffer
  source.pausePartitions(['t:0']);
  assert.deepEqual(consumer.pauseCalls, ['t:0', 't:1'], 'already paused by its buffer: no second call');
  source.resumePartitions(['t:0']);
  assert.deepEqual(consumer.resumeCalls, [], 'its buffer is still full');
  await source.poll(24);
  assert.deepEqual([...consumer.resumeCalls].sort(), ['t:0', 't:1']);
  await source.close();
});

void test('the fetch hold: kept while every partition is paused by its buffer or alignment, released by an alignment resume', async () => {
  const { source, consumer } = await open(2, 30, 10);
  source.pausePartitions(['t:1']);
  consumer.deliver(12); // t:0 fills up; t:1 is paused by alignment
  const held = consumer.held;
  assert.ok(held, 'nothing would be fetched: held');
  let released = false;
  void held.then(() => (released = true));
  source.resumePartitions(['t:1']);
  await Promise.resolve();
  assert.equal(released, true);
  await source.close();
});

void test('the fetch hold is never taken while a partition is free to fetch, even an empty one', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('t', 3);
  kafka.append('t', 0, Array.from({ length: 30 }, (_, i) => `{"i":${i}}`));
  kafka.append('t', 1, ['{"i":0}']);
  const source = new KafkaSource({ id: 'in', job: 'j', config: config(10), client: kafka, logger, emptyPollWaitMs: 1 });
  await source.open(undefined);
  const consumer = kafka.consumers[0]! as FakeConsumer;
  source.pausePartitions(['t:1']);
  consumer.deliver(12); // t:0 full, t:1 paused by alignment, t:2 empty and free
  assert.equal(consumer.held, undefined);
  assert.deepEqual(counts(await source.poll(5)), { 't:0': 5 });
  await source.close();
});
