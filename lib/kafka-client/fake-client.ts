/**
 * An in-memory `KafkaClientFactory` for unit tests of the Kafka plugins (integration tests
 * use the real broker). Topics hold messages per partition; consumers fetch only when the
 * test calls `deliver()`, so every step is explicit; the next producer send can be made to
 * fail with a given error.
 */
import { traceparentProbes } from '../../core/api/index.ts';
import type {
  ConsumerOptions, FetchedBatch, KafkaAdmin, KafkaClientFactory, KafkaConsumer, KafkaProducer, NewTopic, OutgoingMessage,
  ProducerOptions, TopicOffsets, TopicPartition, TopicPartitionOffset, TransactionalProducer, TransactionalProducerOptions,
} from './client.ts';
import { FakeTransactions } from './fake-transactions.ts';

export interface FakeMessage {
  readonly key: string | null;
  readonly value: Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timestamp: number;
}

type Handlers = Parameters<KafkaConsumer['start']>[0];

const enc = new TextEncoder();

export class FakeKafka implements KafkaClientFactory {
  readonly topics = new Map<string, FakeMessage[][]>();
  readonly committed = new Map<string, Map<string, number>>();
  readonly consumers: FakeConsumer[] = [];
  /** Every send: topic and messages. */
  readonly sends: { topic: string; messages: readonly OutgoingMessage[] }[] = [];
  readonly producerOptions: ProducerOptions[] = [];
  /** Thrown by the next send (then cleared). */
  failNextSend: Error | undefined;
  /** Thrown by the next commit (then cleared). */
  failNextCommit: Error | undefined;
  now = 1_000;
  /** Transactional producers: committed sends land in `sends`, committed offsets in `committed`. */
  readonly transactions = new FakeTransactions(this);

  /** Commits next-offsets for a group (what a consumer's commit or a transaction does). */
  commitOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): void {
    let group = this.committed.get(groupId);
    if (!group) this.committed.set(groupId, (group = new Map()));
    for (const o of offsets) group.set(`${o.topic}:${o.partition}`, o.offset);
  }

  createTopic(topic: string, partitions: number): void {
    if (!this.topics.has(topic)) this.topics.set(topic, Array.from({ length: partitions }, () => []));
  }

  /** Appends messages to one partition (values given as text). */
  append(topic: string, partition: number, values: readonly string[], extra: Partial<Omit<FakeMessage, 'value'>> = {}): void {
    const log = this.topics.get(topic)![partition]!;
    for (const v of values) log.push({ key: extra.key ?? null, value: enc.encode(v), timestamp: extra.timestamp ?? this.now++, ...(extra.headers ? { headers: extra.headers } : {}) });
  }

  consumer(options: ConsumerOptions): KafkaConsumer {
    const c = new FakeConsumer(this, options);
    this.consumers.push(c);
    return c;
  }

  producer(options: ProducerOptions): KafkaProducer {
    this.producerOptions.push(options);
    return {
      connect: () => Promise.resolve(),
      send: (topic, messages) => {
        const e = this.failNextSend;
        this.failNextSend = undefined;
        if (e) return Promise.reject(e);
        this.sends.push({ topic, messages: [...messages] });
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
  }

  transactionalProducer(options: TransactionalProducerOptions): TransactionalProducer {
    return this.transactions.producer(options);
  }

  admin(): KafkaAdmin {
    return {
      connect: () => Promise.resolve(),
      createTopics: (topics: readonly NewTopic[]) => {
        for (const t of topics) this.createTopic(t.topic, t.partitions);
        return Promise.resolve();
      },
      deleteTopics: (topics) => {
        for (const t of topics) this.topics.delete(t);
        return Promise.resolve();
      },
      fetchTopicOffsets: (topic): Promise<readonly TopicOffsets[]> =>
        Promise.resolve(this.topics.get(topic)!.map((log, partition) => ({ partition, low: 0, high: log.length }))),
      fetchCommittedOffsets: (groupId, topics): Promise<readonly TopicPartitionOffset[]> =>
        Promise.resolve(
          topics.flatMap((topic) =>
            this.topics.get(topic)!.map((_, partition) => ({ topic, partition, offset: this.committed.get(groupId)?.get(`${topic}:${partition}`) ?? -1 })),
          ),
        ),
      close: () => Promise.resolve(),
    };
  }
}

export class FakeConsumer implements KafkaConsumer {
  private handlers: Handlers | undefined;
  readonly positions = new Map<string, number>();
  readonly paused = new Set<string>();
  readonly pauseCalls: string[] = [];
  readonly resumeCalls: string[] = [];
  closed = false;
  /** The hold the last `onBatch` returned, until it settles (a real consumer fetches nothing meanwhile). */
  held: Promise<void> | undefined;

  constructor(private readonly kafka: FakeKafka, readonly options: ConsumerOptions) {}

  start(handlers: Handlers): Promise<void> {
    this.handlers = handlers;
    const parts: TopicPartition[] = [];
    const only = this.options.partitions;
    for (const topic of this.options.topics) {
      this.kafka.topics.get(topic)!.forEach((_, partition) => {
        if (!only || only.includes(partition)) parts.push({ topic, partition });
      });
    }
    for (const p of parts) {
      const name = `${p.topic}:${p.partition}`;
      const committed = this.kafka.committed.get(this.options.groupId)?.get(name);
      const end = this.kafka.topics.get(p.topic)![p.partition]!.length;
      this.positions.set(name, committed ?? (this.options.fromBeginning ? 0 : end));
    }
    handlers.onAssign(parts);
    return Promise.resolve();
  }

  /** One fetch round: up to `max` messages from every partition that is not paused. */
  deliver(max = 1000): number {
    let n = 0;
    for (const [name, from] of this.positions) {
      if (this.paused.has(name)) continue;
      const at = name.lastIndexOf(':');
      const topic = name.slice(0, at);
      const partition = Number(name.slice(at + 1));
      const log = this.kafka.topics.get(topic)![partition]!;
      const slice = log.slice(from, from + max);
      if (!slice.length) continue;
      const batch: FetchedBatch = {
        topic, partition, length: slice.length,
        offsets: slice.map((_, i) => from + i),
        timestamps: slice.map((m) => m.timestamp),
        values: slice.map((m) => m.value),
        keys: slice.map((m) => m.key),
        headers: slice.map((m) => m.headers),
        highWatermark: log.length,
        traceparents: traceparentProbes(slice.length, (i) => slice[i]!.headers?.['traceparent']),
      };
      this.positions.set(name, from + slice.length);
      n += slice.length;
      const hold = this.handlers!.onBatch(batch);
      if (hold) {
        this.held = hold;
        void hold.then(() => {
          if (this.held === hold) this.held = undefined;
        });
      }
    }
    return n;
  }

  fail(error: Error): void {
    this.handlers!.onFatal(error);
  }

  seek(p: TopicPartitionOffset): void {
    this.positions.set(`${p.topic}:${p.partition}`, p.offset);
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) {
      this.paused.add(`${p.topic}:${p.partition}`);
      this.pauseCalls.push(`${p.topic}:${p.partition}`);
    }
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) {
      this.paused.delete(`${p.topic}:${p.partition}`);
      this.resumeCalls.push(`${p.topic}:${p.partition}`);
    }
  }

  commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const e = this.kafka.failNextCommit;
    this.kafka.failNextCommit = undefined;
    if (e) return Promise.reject(e);
    this.kafka.commitOffsets(this.options.groupId, offsets);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
