/**
 * `kafka_send` and `kafka_send_baseline`: the `kafka` sink's producer alone against the real
 * broker (127.0.0.1:9092, `scripts/services up`), idempotent, `acks: all`, sending `events`
 * prepared JSON messages (~90 bytes, keyed by one of `keys` users) to a fresh 3-partition
 * topic in sends of 10,000 (the sink's default `batch_size`: what a large batch or the
 * exactly-once sink's held output sends at once). `kafka_send` wraps the producer with
 * `chunkedSends` (lib/kafka-client/chunked-sends.ts), as the sink does; the baseline is
 * the bare producer. Measured: the sends, from after connect to the last acknowledgement.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { chunkedSends } from '../lib/kafka-client/chunked-sends.ts';
import { createKafkajsClient } from '../lib/kafka-client/kafkajs-client.ts';
import type { OutgoingMessage } from '../lib/kafka-client/client.ts';
import { Measure } from './measure.ts';
import type { RunResult, ScenarioOptions } from './scenario.ts';

const BROKERS = ['127.0.0.1:9092'];
const SEND = 10_000;
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

export function kafkaSend(chunked: boolean) {
  return async (o: ScenarioOptions): Promise<RunResult> => {
    const topic = `perf-send-bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const admin = new Kafka({ brokers: BROKERS, clientId: 'sluice-bench', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
    const t0 = Date.UTC(2026, 0, 1);
    const messages: OutgoingMessage[] = [];
    for (let i = 0; i < o.events; i++) {
      const user = `u${(i * 7919) % o.keys}`;
      messages.push({ key: user, value: JSON.stringify({ user, ts: t0 + i, action: 'click', amount: i % 300 }) });
    }
    const client = createKafkajsClient({ brokers: BROKERS, clientId: 'sluice-bench' }, silent);
    const bare = client.producer({ idempotent: true, acks: -1, compression: 'none' });
    const producer = chunked ? chunkedSends(bare) : bare;
    try {
      await producer.connect();
      const measure = new Measure();
      measure.start();
      for (let from = 0; from < messages.length; from += SEND) await producer.send(topic, messages.slice(from, from + SEND));
      return { ...measure.stop(), events: o.events, driver: 'micro' };
    } finally {
      await producer.close();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  };
}
