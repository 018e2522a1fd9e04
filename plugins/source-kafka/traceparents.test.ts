import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../../core/api/index.ts';
import { FakeKafka } from '../../lib/kafka-client/fake-client.ts';
import type { FakeConsumer } from '../../lib/kafka-client/fake-client.ts';
import { KafkaSource } from './kafka-source.ts';

const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger };
const tp = (i: number) => `00-${String(i).padStart(32, '0')}-${String(i).padStart(16, '0')}-01`;

void test('with _meta off, each chunk names the traceparent headers of the records it holds (probed), slices included', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('t', 1);
  kafka.append('t', 0, ['{"a":0}', '{"a":1}', '{"a":2}'], { headers: { traceparent: tp(1) } });
  kafka.append('t', 0, ['{"a":3}', '{"a":4}'], { headers: { traceparent: tp(2) } });
  kafka.append('t', 0, ['{"a":5}']);
  const source = new KafkaSource({
    id: 'in', job: 'j', client: kafka, logger, emptyPollWaitMs: 1,
    config: { brokers: ['b:9092'], topic: 't', start: 'earliest', max_buffered: 100, max_bytes_per_partition: 1 << 20, max_bytes: 1 << 23, session_timeout: 30_000, join_timeout: 60_000, meta: false, connection_timeout: 10_000, request_timeout: 30_000 },
  });
  await source.open(undefined);
  (kafka.consumers[0] as FakeConsumer).deliver();
  const first = (await source.poll(2))!;
  assert.equal(first[0]!.meta, undefined);
  assert.deepEqual(first[0]!.traceparents, [tp(1)]);
  const second = (await source.poll(2))!;
  assert.deepEqual(second[0]!.traceparents, [tp(1), tp(2)], 'a slice across two producers');
  const third = (await source.poll(10))!;
  assert.deepEqual(third[0]!.traceparents, [tp(2)], 'the record without a header adds none');
  await source.close();
});
