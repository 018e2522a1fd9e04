import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../../core/api/index.ts';
import { KafkaClientError } from './client.ts';
import type { KafkaAdmin, KafkaClientFactory } from './client.ts';
import { ensureTopics } from './ensure-topics.ts';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

/** A broker whose new topic has no leader for its first `leaderless` offset requests. */
function brokerWithoutLeaderFor(leaderless: number, error = new KafkaClientError('This server is not the leader for that topic-partition', { retriable: true, kafkaCode: 'NOT_LEADER_OR_FOLLOWER' })) {
  let asked = 0;
  const admin = {
    connect: async () => undefined,
    close: async () => undefined,
    createTopics: async () => undefined,
    fetchTopicOffsets: async () => {
      if (asked++ < leaderless) throw error;
      return [0, 1, 2].map((partition) => ({ partition, offset: '0', high: '0', low: '0' }));
    },
  } as unknown as KafkaAdmin;
  return { client: { admin: () => admin } as unknown as KafkaClientFactory, asked: () => asked };
}

void test('a topic without a leader right after creation is waited for, then its partition count returned', async () => {
  const broker = brokerWithoutLeaderFor(2);
  const found = await ensureTopics(broker.client, [{ topic: 't', partitions: 3, replicationFactor: 1 }], quiet);
  assert.deepEqual([...found], [['t', 3]]);
  assert.equal(broker.asked(), 3);
});

void test('a non-retriable error fails at once; a retriable one fails after the timeout', async () => {
  const denied = brokerWithoutLeaderFor(99, new KafkaClientError('denied', { retriable: false, kafkaCode: 'TOPIC_AUTHORIZATION_FAILED' }));
  await assert.rejects(ensureTopics(denied.client, [{ topic: 't', partitions: 3, replicationFactor: 1 }], quiet), /denied/);
  assert.equal(denied.asked(), 1);
  const never = brokerWithoutLeaderFor(99);
  await assert.rejects(ensureTopics(never.client, [{ topic: 't', partitions: 3, replicationFactor: 1 }], quiet, 250), /not the leader/);
  assert.ok(never.asked() >= 2 && never.asked() < 10, `asked ${never.asked()} times`);
});
