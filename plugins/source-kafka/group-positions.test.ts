import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../../core/api/index.ts';
import { FakeKafka } from '../../lib/kafka-client/fake-client.ts';
import { kafkaGroupPositions } from './group-positions.ts';
import type { KafkaSourceConfig } from './spec.ts';

const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger };

const config = (over: Partial<KafkaSourceConfig> = {}): KafkaSourceConfig => ({
  brokers: ['127.0.0.1:9092'], topics: ['a', 'b'], start: 'earliest', max_buffered: 10_000, max_bytes_per_partition: 1_048_576, max_bytes: 10_485_760,
  session_timeout: 30_000, join_timeout: 60_000, meta: true, connection_timeout: 10_000, request_timeout: 30_000, ...over,
});

void test('a position is the group\'s offsets as they are; committed() reads only partitions with an offset', async () => {
  const kafka = new FakeKafka();
  kafka.createTopic('a', 2);
  kafka.createTopic('b', 1);
  const g = kafkaGroupPositions({ id: 'in', job: 'j', config: config(), logger }, kafka);
  assert.deepEqual(g.offsetsOf({ 'a:1': 7, 'b:0': 3 }), { groupId: 'sluice.j.in', offsets: [{ topic: 'a', partition: 1, offset: 7 }, { topic: 'b', partition: 0, offset: 3 }] });
  assert.deepEqual(g.offsetsOf(undefined), { groupId: 'sluice.j.in', offsets: [] });
  assert.deepEqual(await g.committed(), { groupId: 'sluice.j.in', offsets: [] });
  kafka.commitOffsets('sluice.j.in', [{ topic: 'a', partition: 1, offset: 7 }]);
  assert.deepEqual(await g.committed(), { groupId: 'sluice.j.in', offsets: [{ topic: 'a', partition: 1, offset: 7 }] });
  assert.equal(kafkaGroupPositions({ id: 'in', job: 'j', config: config({ group_id: 'mine' }), logger }, kafka).offsetsOf({}).groupId, 'mine');
  assert.throws(() => g.offsetsOf({ 'a:0': -1 }), /bad offset/);
});
