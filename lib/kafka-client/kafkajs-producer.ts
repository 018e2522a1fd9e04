/** The kafkajs producer and admin behind `KafkaProducer` and `KafkaAdmin`. */
import { CompressionTypes, Partitioners } from './kafkajs.ts';
import type { IHeaders, Kafka, Message, Producer, ProducerRecord } from 'kafkajs';
import type { KafkaAdmin, KafkaProducer, NewTopic, OutgoingMessage, ProducerOptions, TopicOffsets, TopicPartitionOffset } from './client.ts';
import { fromKafkajsError } from './kafkajs-errors.ts';

/** One kafkajs send of `messages` to `topic`, with the producer's acks, compression and timeout. */
export function toProducerRecord(topic: string, messages: readonly OutgoingMessage[], options: ProducerOptions): ProducerRecord {
  const { acks, compression, timeoutMs } = options;
  const out = new Array<Message>(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const value = typeof m.value === 'string' ? m.value : Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength);
    // kafkajs only reads the headers: a header object shared by a batch's messages is fine.
    const message: Message = m.headers ? { key: m.key, value, headers: m.headers as IHeaders } : { key: m.key, value };
    if (m.partition !== undefined) message.partition = m.partition;
    if (m.timestamp !== undefined) message.timestamp = String(m.timestamp);
    out[i] = message;
  }
  return {
    topic,
    messages: out,
    acks,
    compression: compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
    ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}),
  };
}

export class KafkajsProducer implements KafkaProducer {
  private readonly producer: Producer;

  constructor(kafka: Kafka, private readonly options: ProducerOptions) {
    this.producer = kafka.producer({
      idempotent: options.idempotent,
      // The idempotent producer keeps order with one request in flight per connection.
      ...(options.idempotent ? { maxInFlightRequests: 1 } : {}),
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async connect(): Promise<void> {
    try {
      await this.producer.connect();
    } catch (error) {
      throw fromKafkajsError(error);
    }
  }

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    try {
      await this.producer.send(toProducerRecord(topic, messages, this.options));
    } catch (error) {
      throw fromKafkajsError(error);
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

export class KafkajsAdmin implements KafkaAdmin {
  private readonly admin;
  constructor(kafka: Kafka) {
    this.admin = kafka.admin();
  }

  async connect(): Promise<void> {
    try {
      await this.admin.connect();
    } catch (error) {
      throw fromKafkajsError(error);
    }
  }

  async createTopics(topics: readonly NewTopic[]): Promise<void> {
    if (!topics.length) return;
    try {
      // Resolves false when some already exist; those are left alone.
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: topics.map((t) => ({
          topic: t.topic, numPartitions: t.partitions, replicationFactor: t.replicationFactor,
          ...(t.configs ? { configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })) } : {}),
        })),
      });
    } catch (error) {
      const e = fromKafkajsError(error);
      if (e.kafkaCode !== 'TOPIC_ALREADY_EXISTS') throw e;
    }
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    if (topics.length) await this.admin.deleteTopics({ topics: [...topics] });
  }

  async fetchTopicOffsets(topic: string): Promise<readonly TopicOffsets[]> {
    try {
      const list = await this.admin.fetchTopicOffsets(topic);
      return list.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }));
    } catch (error) {
      throw fromKafkajsError(error);
    }
  }

  async fetchCommittedOffsets(groupId: string, topics: readonly string[]): Promise<readonly TopicPartitionOffset[]> {
    const list = await this.admin.fetchOffsets({ groupId, topics: [...topics] });
    return list.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })));
  }

  async close(): Promise<void> {
    await this.admin.disconnect();
  }
}

/** A factory of kafkajs clients for one connection; kafkajs logs go to `logger`. */
