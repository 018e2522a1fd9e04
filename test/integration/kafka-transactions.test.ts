/**
 * The kafka-client's transactional producer (lib/kafka-client/kafkajs-transactions.ts)
 * against the real broker: a committed transaction's records and group offsets become
 * visible together; `init` of a new producer with the same transactional id aborts what
 * the old one left open and fences it (its commit fails, not retriable); read_committed
 * readers never see the aborted records.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../../core/api/index.ts';
import { KafkaClientError } from '../../lib/kafka-client/client.ts';
import type { TransactionalProducer } from '../../lib/kafka-client/client.ts';
import { createKafkajsClient } from '../../lib/kafka-client/kafkajs-client.ts';
import { BROKERS, cleanup, committed, createTopic, produce, unique, uniqueGroup, until } from './kafka-helpers.ts';
import { Kafka, logLevel } from 'kafkajs';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };
const topics: string[] = [];
after(() => cleanup(...topics));

async function readCommittedValues(topic: string): Promise<string[]> {
  await produce(topic, [{ partition: 0, value: 'marker' }]);
  const kafka = new Kafka({ brokers: BROKERS, clientId: 'eos-txn-reader', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueGroup('eos-txn-reader'), maxWaitTimeInMs: 200 });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: ({ message }) => Promise.resolve(void values.push(message.value!.toString())) });
    await until(() => values.includes('marker'), 'the marker');
  } finally {
    await consumer.disconnect();
  }
  return values.filter((v) => v !== 'marker');
}

void test('transactions: commit shows records and offsets together; a new producer aborts the open transaction and fences the old one', { timeout: 60_000 }, async () => {
  const out = unique('eos-txn-out');
  const input = unique('eos-txn-in');
  const group = uniqueGroup('eos-txn-group');
  topics.push(out, input);
  await createTopic(out, 1);
  await createTopic(input, 1);
  const client = createKafkajsClient({ brokers: BROKERS, clientId: 'eos-txn' }, silent);
  const transactionalId = unique('eos-txn-id');
  const make = (): TransactionalProducer =>
    client.transactionalProducer({ transactionalId, transactionTimeoutMs: 60_000, idempotent: true, acks: -1, compression: 'none' });
  const first = make();
  await first.connect();
  await first.init();
  await first.begin();
  await first.send(out, [{ key: 'a', value: 'one' }, { key: 'b', value: 'two' }]);
  await first.sendOffsets(group, [{ topic: input, partition: 0, offset: 5 }]);
  await first.commit();
  assert.deepEqual(await committed(group, input), { 0: 5 });

  await first.begin();
  await first.send(out, [{ key: 'c', value: 'left open' }]);
  await first.sendOffsets(group, [{ topic: input, partition: 0, offset: 9 }]);
  const second = make();
  await second.connect();
  await second.init(); // aborts the open transaction, fences `first`
  await assert.rejects(first.commit(), (e) => e instanceof KafkaClientError && !e.retriable);
  assert.deepEqual(await committed(group, input), { 0: 5 }, 'the aborted transaction\'s offsets are not committed');
  await second.begin();
  await second.send(out, [{ key: 'd', value: 'three' }]);
  await second.commit();
  assert.deepEqual(await readCommittedValues(out), ['one', 'two', 'three']);
  await first.close();
  await second.close();
});
