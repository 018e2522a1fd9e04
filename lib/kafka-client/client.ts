/**
 * The Kafka client as the Kafka plugins see it: a small, batch-wise interface, so the
 * client library (kafkajs today; kafkajs is in maintenance mode) can be swapped without
 * touching the source or the sink. One implementation is `createKafkajsClient`
 * (kafkajs-client.ts); unit tests use an in-memory fake of this interface.
 *
 * Offsets are numbers here (Kafka's int64 offsets stay far below 2^53 in practice);
 * implementations convert at their edge.
 */
import type { TraceparentProbe } from '../../core/api/index.ts';

/** Where and how to connect. */
export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly sasl?: {
    readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    readonly username: string;
    readonly password: string;
  };
  readonly tls?: {
    /** PEM contents (not paths: the plugin reads the files). */
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly rejectUnauthorized: boolean;
  };
  /** Ms to wait for a TCP/TLS connection. */
  readonly connectionTimeoutMs?: number;
  /** Ms to wait for a broker's answer. */
  readonly requestTimeoutMs?: number;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read (Kafka's committed-offset convention). */
  readonly offset: number;
}

/**
 * Messages fetched from one partition, as parallel arrays (one object per fetch, not per
 * message). `values[i]` is the message value (an empty array for a null value).
 */
export interface FetchedBatch extends TopicPartition {
  readonly length: number;
  readonly offsets: readonly number[];
  /** Broker timestamps (create or log-append time), epoch ms. */
  readonly timestamps: readonly number[];
  readonly values: readonly Uint8Array[];
  /** Message keys as UTF-8 text; null when the message has none. Empty without `withKeysAndHeaders`. */
  readonly keys: readonly (string | null)[];
  /** Headers as UTF-8 text; undefined when the message has none. Empty without `withKeysAndHeaders`. */
  readonly headers: readonly (Readonly<Record<string, string>> | undefined)[];
  /** The partition's high watermark at fetch time (offset after the last message). */
  readonly highWatermark: number;
  /** `traceparent` headers of a few messages spread over the batch (with keys and headers or not). */
  readonly traceparents?: readonly TraceparentProbe[];
}

export interface ConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where to start a partition the group has no committed offset for. */
  readonly fromBeginning: boolean;
  readonly sessionTimeoutMs?: number;
  /** Most bytes fetched per partition per request. */
  readonly maxBytesPerPartition?: number;
  /** `start` fails when the first group join takes longer than this (ms). */
  readonly joinTimeoutMs?: number;
  /** Most bytes fetched per request, all partitions together. */
  readonly maxBytes?: number;
  /** Fill `keys` and `headers` of fetched batches; false leaves them empty (nobody reads them). */
  readonly withKeysAndHeaders?: boolean;
  /**
   * Read exactly these partitions of every topic, whoever else is in the group (a task's
   * consumer); absent: the group shares the topics' partitions among its members.
   */
  readonly partitions?: readonly number[];
  /**
   * Members keep the partitions they own across rebalances (sticky-assigner.ts): only the
   * partitions of members that left, or above a member's fair share, move. Not with `partitions`.
   */
  readonly sticky?: boolean;
}

export interface KafkaConsumer {
  /**
   * Connects, joins the group and starts fetching: `onBatch` is called synchronously with
   * each non-empty batch, in offset order per partition; `onAssign` after every (re)join with
   * the partitions this member owns; `onFatal` when the consumer stopped for good.
   * Resolves once the first assignment is known; rejects when connecting fails or the
   * first join takes longer than `joinTimeoutMs`.
   *
   * When `onBatch` returns a promise, the consumer fetches nothing more until it settles
   * (it keeps its group membership alive meanwhile): a reader whose every partition is
   * full holds the fetching this way instead of leaving the client to poll paused
   * partitions. The promise must settle before `close` is awaited.
   */
  start(handlers: {
    onBatch(batch: FetchedBatch): void | Promise<void>;
    onAssign(partitions: readonly TopicPartition[]): void;
    onFatal(error: Error): void;
  }): Promise<void>;
  /** The next fetch of the partition starts at `offset`; batches fetched before are dropped. */
  seek(position: TopicPartitionOffset): void;
  /** Stops fetching the partitions (what was fetched is still delivered). */
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  /** Commits these next-offsets for the group. */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  close(): Promise<void>;
}

export interface OutgoingMessage {
  readonly key: string | null;
  readonly value: string | Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
  /** This partition instead of the key's (murmur2). */
  readonly partition?: number;
  /** The message's create time, epoch ms; absent: the time of the send. */
  readonly timestamp?: number;
}

export interface ProducerOptions {
  /** Idempotent producer: the broker drops retried duplicates within a session. */
  readonly idempotent: boolean;
  /** -1: all in-sync replicas, 1: the leader, 0: none. */
  readonly acks: -1 | 0 | 1;
  readonly compression: 'none' | 'gzip';
  /** Ms the broker may take to acknowledge. */
  readonly timeoutMs?: number;
}

export interface KafkaProducer {
  connect(): Promise<void>;
  /**
   * Sends the messages to one topic, partitioned by key (murmur2, as the Java client), and
   * resolves once they are acknowledged (per `acks`). Rejects with a `KafkaClientError`.
   */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface TopicOffsets {
  readonly partition: number;
  /** First offset still in the log. */
  readonly low: number;
  /** Offset after the last message. */
  readonly high: number;
}

export interface NewTopic {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic configs (`retention.ms`, …); absent: the broker's defaults. */
  readonly configs?: Readonly<Record<string, string>>;
}

export interface KafkaAdmin {
  connect(): Promise<void>;
  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  createTopics(topics: readonly NewTopic[]): Promise<void>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  fetchTopicOffsets(topic: string): Promise<readonly TopicOffsets[]>;
  /** Committed next-offsets of a group (-1 where nothing is committed). */
  fetchCommittedOffsets(groupId: string, topics: readonly string[]): Promise<readonly TopicPartitionOffset[]>;
  close(): Promise<void>;
}

export interface TransactionalProducerOptions extends ProducerOptions {
  /** Stable across restarts: a producer with the same id fences the earlier ones. */
  readonly transactionalId: string;
  /** Ms the broker keeps a transaction open before aborting it (bounded by the broker's `transaction.max.timeout.ms`). */
  readonly transactionTimeoutMs: number;
}

/**
 * A transactional producer (idempotent, one request in flight). `init` fences every earlier
 * producer with the same transactional id and aborts the transaction it left open; after it
 * resolves, that transaction's outcome (its records and group offsets) is final. One
 * transaction at a time: `begin`, then `send` and `sendOffsets` into it, then `commit` or
 * `abort`. A fenced producer's calls reject with a non-retriable `KafkaClientError`.
 */
export interface TransactionalProducer {
  connect(): Promise<void>;
  init(): Promise<void>;
  begin(): Promise<void>;
  /** Sends into the open transaction, partitioned by key as `KafkaProducer.send`. */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  /** Adds a consumer group's next-offsets to the open transaction: committed with it, or not at all. */
  sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  /** Disconnects; an open transaction is left to the broker (aborted at its timeout or by the next `init`). */
  close(): Promise<void>;
}

/** Makes clients for one connection. */
export interface KafkaClientFactory {
  consumer(options: ConsumerOptions): KafkaConsumer;
  producer(options: ProducerOptions): KafkaProducer;
  transactionalProducer(options: TransactionalProducerOptions): TransactionalProducer;
  admin(): KafkaAdmin;
}

/**
 * An error from the client, classified. `retriable`: a retry may succeed (a broker down,
 * a timeout, a leader moving). Not retriable: authorization, an invalid topic, a record
 * too large, bad credentials.
 */
export class KafkaClientError extends Error {
  readonly retriable: boolean;
  /** Kafka's error name when known (`TOPIC_AUTHORIZATION_FAILED`), else the client's. */
  readonly kafkaCode: string;
  constructor(message: string, options: { retriable: boolean; kafkaCode: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'KafkaClientError';
    this.retriable = options.retriable;
    this.kafkaCode = options.kafkaCode;
  }
}

/** `topic:partition`, the source's partition name. */
export function partitionName(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/** Inverse of `partitionName`; topic names cannot hold ':' so the last one splits. */
export function parsePartitionName(name: string): TopicPartition {
  const at = name.lastIndexOf(':');
  const partition = Number(name.slice(at + 1));
  if (at <= 0 || !Number.isInteger(partition) || partition < 0) throw new Error(`not a '<topic>:<partition>' name: ${JSON.stringify(name)}`);
  return { topic: name.slice(0, at), partition };
}
