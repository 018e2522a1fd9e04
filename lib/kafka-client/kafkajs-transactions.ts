/**
 * The kafkajs transactional producer behind `TransactionalProducer`. kafkajs initialises
 * the producer id (InitProducerId: fencing and aborting what an earlier producer with the
 * same transactional id left open) at the first `producer.transaction()`, not at
 * `connect`; `init` therefore begins an empty transaction and aborts it, which sends
 * nothing more to the broker.
 */
import { Partitioners } from './kafkajs.ts';
import type { Kafka, Producer, Transaction } from 'kafkajs';
import type { OutgoingMessage, TopicPartitionOffset, TransactionalProducer, TransactionalProducerOptions } from './client.ts';
import { fromKafkajsError } from './kafkajs-errors.ts';
import { toProducerRecord } from './kafkajs-producer.ts';

async function mapped<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw fromKafkajsError(error);
  }
}

export class KafkajsTransactionalProducer implements TransactionalProducer {
  private readonly producer: Producer;
  private open: Transaction | undefined;

  constructor(kafka: Kafka, private readonly options: TransactionalProducerOptions) {
    this.producer = kafka.producer({
      transactionalId: options.transactionalId,
      transactionTimeout: options.transactionTimeoutMs,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    return mapped(this.producer.connect());
  }

  async init(): Promise<void> {
    if (this.open) throw new Error('a transaction is open');
    const t = await mapped(this.producer.transaction());
    await mapped(t.abort());
  }

  async begin(): Promise<void> {
    if (this.open) throw new Error('a transaction is already open');
    this.open = await mapped(this.producer.transaction());
  }

  private current(): Transaction {
    if (!this.open) throw new Error('no open transaction');
    return this.open;
  }

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    await mapped(this.current().send(toProducerRecord(topic, messages, this.options)));
  }

  async sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (!list) byTopic.set(o.topic, (list = []));
      list.push({ partition: o.partition, offset: String(o.offset) });
    }
    const topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
    await mapped(this.current().sendOffsets({ consumerGroupId: groupId, topics }));
  }

  async commit(): Promise<void> {
    const t = this.current();
    this.open = undefined;
    await mapped(t.commit());
  }

  async abort(): Promise<void> {
    const t = this.current();
    this.open = undefined;
    await mapped(t.abort());
  }

  async close(): Promise<void> {
    this.open = undefined;
    await this.producer.disconnect();
  }
}
