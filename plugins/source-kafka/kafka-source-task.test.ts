import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SluiceError } from '../../core/api/index.ts';
import type { Logger } from '../../core/api/index.ts';
import { FakeKafka } from '../../lib/kafka-client/fake-client.ts';
import type { FakeConsumer } from '../../lib/kafka-client/fake-client.ts';
import { KafkaSource } from './kafka-source.ts';
import type { KafkaSourceConfig } from './spec.ts';

const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger };

function config(over: Partial<KafkaSourceConfig> = {}): KafkaSourceConfig {
  return {
    brokers: ['127.0.0.1:9092'], topics: ['a', 'b'], start: 'earliest', max_buffered: 100, max_bytes_per_partition: 1_048_576, max_bytes: 10_485_760,
    session_timeout: 30_000, join_timeout: 60_000, meta: false, connection_timeout: 10_000, request_timeout: 30_000, ...over,
  };
}

void test('a task\'s source reads partition p of every topic, in the task\'s own group', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('a', 3);
  kafka.createTopic('b', 3);
  for (let p = 0; p < 3; p++) {
    kafka.append('a', p, [`{"a":${p}}`]);
    kafka.append('b', p, [`{"b":${p}}`]);
  }
  const source = new KafkaSource({ id: 'in', job: 'j', config: config(), client: kafka, logger, emptyPollWaitMs: 1, task: { id: 'task-1', index: 1, count: 3 } });
  await source.open(undefined);
  const consumer = kafka.consumers.at(-1)! as FakeConsumer;
  assert.equal(consumer.options.groupId, 'sluice.j.in.task-1');
  assert.deepEqual(consumer.options.partitions, [1]);
  assert.deepEqual(source.partitions(), ['a:1', 'b:1']);
  consumer.deliver();
  const chunks = (await source.poll(10))!;
  assert.deepEqual(chunks.map((c) => c.partition).sort(), ['a:1', 'b:1']);
  await source.close();
});

void test('a task\'s source refuses topics whose partition count is not the task count', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('a', 3);
  kafka.createTopic('b', 2);
  const source = new KafkaSource({ id: 'in', job: 'j', config: config(), client: kafka, logger, emptyPollWaitMs: 1, task: { id: 'task-0', index: 0, count: 3 } });
  await assert.rejects(source.open(undefined), (e: unknown) => e instanceof SluiceError && e.code === 'E_TASKS' && /topic 'b' has 2 partitions/.test(e.message));
});

void test('a task\'s consumer keeps its group session no longer than the job\'s task group (a new owner\'s join waits for a dead member\'s session)', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('a', 2);
  kafka.createTopic('b', 2);
  const open = async (sessionTimeoutMs: number | undefined, session_timeout: number) => {
    const task = { id: 'task-0', index: 0, count: 2, ...(sessionTimeoutMs !== undefined ? { sessionTimeoutMs } : {}) };
    const source = new KafkaSource({ id: 'in', job: 'j', config: config({ session_timeout }), client: kafka, logger, emptyPollWaitMs: 1, task });
    await source.open(undefined);
    const timeout = (kafka.consumers.at(-1)! as FakeConsumer).options.sessionTimeoutMs;
    await source.close();
    return timeout;
  };
  assert.equal(await open(10_000, 30_000), 10_000, 'the task group\'s shorter session');
  assert.equal(await open(10_000, 6_000), 6_000, 'the source\'s own shorter session');
  assert.equal(await open(undefined, 30_000), 30_000, 'no task session given');
});
