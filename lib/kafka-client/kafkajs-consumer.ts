/**
 * The kafkajs consumer behind `KafkaConsumer`: `eachBatch` with offsets auto-resolved per
 * batch (the batch is handed over whole) and auto-commit off, so the group's offsets move
 * only through `commit`, which the source calls when a checkpoint completes. A hold
 * returned by `onBatch` is awaited inside `eachBatch` (kafkajs fetches nothing meanwhile),
 * with a heartbeat every heartbeat interval so the member stays in its group.
 */
import type { Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import { PartitionAssigners } from './kafkajs.ts';
import { KafkaClientError } from './client.ts';
import type { ConsumerOptions, FetchedBatch, KafkaConsumer, TopicPartition, TopicPartitionOffset } from './client.ts';
import { fromKafkajsError } from './kafkajs-errors.ts';
import { fixedPartitionsAssigner } from './fixed-partitions-assigner.ts';
import { stickyAssigner } from './sticky-assigner.ts';
import { traceparentProbes } from '../../core/api/index.ts';

const EMPTY = new Uint8Array(0);

function headerText(headers: IHeaders | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  let out: Record<string, string> | undefined;
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    // A repeated header arrives as an array: the last value wins, as for HTTP-style lookups.
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    (out ??= {})[name] = typeof last === 'string' ? last : last === undefined ? '' : last.toString('utf8');
  }
  return out;
}

const NONE: readonly never[] = Object.freeze([]);

/** A message's W3C `traceparent` header as text. */
function traceparentOf(headers: IHeaders | undefined): string | undefined {
  const v = headers?.['traceparent'];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return last === undefined ? undefined : typeof last === 'string' ? last : last.toString('utf8');
}

/**
 * One kafkajs batch as parallel arrays: one loop, no per-message Promise. Keys and headers
 * are decoded only `withKeysAndHeaders` (the default).
 */
export function toFetchedBatch(payload: EachBatchPayload['batch'], withKeysAndHeaders = true): FetchedBatch {
  const { messages } = payload;
  const n = messages.length;
  const offsets = new Array<number>(n);
  const timestamps = new Array<number>(n);
  const values = new Array<Uint8Array>(n);
  for (let i = 0; i < n; i++) {
    const m = messages[i]!;
    offsets[i] = Number(m.offset);
    timestamps[i] = Number(m.timestamp);
    values[i] = m.value ?? EMPTY;
  }
  let keys: (string | null)[] | readonly never[] = NONE;
  let headers: (Record<string, string> | undefined)[] | readonly never[] = NONE;
  if (withKeysAndHeaders) {
    const k = (keys = new Array<string | null>(n));
    const h = (headers = new Array<Record<string, string> | undefined>(n));
    for (let i = 0; i < n; i++) {
      const m = messages[i]!;
      k[i] = m.key ? m.key.toString('utf8') : null;
      h[i] = headerText(m.headers);
    }
  }
  const traceparents = traceparentProbes(n, (i) => traceparentOf(messages[i]!.headers));
  return { topic: payload.topic, partition: payload.partition, length: n, offsets, timestamps, values, keys, headers, highWatermark: Number(payload.highWatermark), ...(traceparents ? { traceparents } : {}) };
}

/** Waits for `hold`, calling `heartbeat` every `everyMs` meanwhile (the group session stays alive). */
async function holdWithHeartbeats(hold: Promise<void>, heartbeat: () => Promise<void>, everyMs: number): Promise<void> {
  let settled = false;
  const done = hold.then(() => (settled = true));
  while (!settled) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, everyMs)))]);
    clearTimeout(timer);
    if (!settled) await heartbeat();
  }
}

function byTopic(partitions: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const map = new Map<string, number[]>();
  for (const p of partitions) {
    let list = map.get(p.topic);
    if (!list) map.set(p.topic, (list = []));
    list.push(p.partition);
  }
  return [...map].map(([topic, list]) => ({ topic, partitions: list }));
}

export class KafkajsConsumer implements KafkaConsumer {
  private readonly consumer: Consumer;
  private connected = false;
  /** The latest assignment, sent in the sticky assigner's join metadata. */
  private owned: Record<string, number[]> = {};

  constructor(kafka: Kafka, private readonly options: ConsumerOptions) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      ...(options.sessionTimeoutMs !== undefined ? { sessionTimeout: options.sessionTimeoutMs, heartbeatInterval: Math.max(100, Math.floor(options.sessionTimeoutMs / 10)) } : {}),
      ...(options.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: options.maxBytesPerPartition } : {}),
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      maxWaitTimeInMs: 500,
      ...(options.partitions ? { partitionAssigners: [fixedPartitionsAssigner(options.partitions)] } : {}),
      // Round robin as well, so that a group of processes of an older version still agrees on one while they are replaced.
      ...(!options.partitions && options.sticky ? { partitionAssigners: [stickyAssigner(() => this.owned), PartitionAssigners.roundRobin] } : {}),
    });
  }

  async start(handlers: Parameters<KafkaConsumer['start']>[0]): Promise<void> {
    const c = this.consumer;
    const withKeysAndHeaders = this.options.withKeysAndHeaders ?? true;
    // kafkajs's default heartbeat interval is 3 s; a session timeout given sets a tenth of it.
    const heartbeatMs = this.options.sessionTimeoutMs !== undefined ? Math.max(100, Math.floor(this.options.sessionTimeoutMs / 10)) : 3000;
    let joined: (() => void) | undefined;
    let failed: ((error: Error) => void) | undefined;
    const firstJoin = new Promise<void>((resolve, reject) => {
      joined = resolve;
      failed = reject;
    });
    c.on(c.events.GROUP_JOIN, (event) => {
      const assignment = event.payload.memberAssignment;
      this.owned = Object.fromEntries(Object.entries(assignment).map(([topic, parts]) => [topic, [...parts]]));
      handlers.onAssign(Object.entries(assignment).flatMap(([topic, parts]) => parts.map((partition) => ({ topic, partition }))));
      joined?.();
    });
    c.on(c.events.CRASH, (event) => {
      // kafkajs restarts itself after a retriable crash; only a final one stops the source.
      if (event.payload.restart) return;
      const error = fromKafkajsError(event.payload.error);
      failed?.(error);
      handlers.onFatal(error);
    });
    const limit = this.options.joinTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KafkaClientError(`consumer group '${this.options.groupId}' not joined after ${limit} ms`, { retriable: true, kafkaCode: 'JOIN_TIMEOUT' })), limit);
    });
    const started = (async () => {
      await c.connect();
      this.connected = true;
      await c.subscribe({ topics: [...this.options.topics], fromBeginning: this.options.fromBeginning });
      await c.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        eachBatch: ({ batch, isStale, heartbeat }) => {
          // A batch fetched before a seek took effect belongs to the old position.
          if (batch.isEmpty() || isStale()) return Promise.resolve();
          const hold = handlers.onBatch(toFetchedBatch(batch, withKeysAndHeaders));
          return hold ? holdWithHeartbeats(hold, heartbeat, heartbeatMs) : Promise.resolve();
        },
      });
      await firstJoin;
    })();
    try {
      await Promise.race([started, timeout]);
    } catch (error) {
      // Leave no consumer fetching behind a source that failed to open.
      started.catch(() => undefined);
      this.connected = true;
      await this.close().catch(() => undefined);
      throw fromKafkajsError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  seek(p: TopicPartitionOffset): void {
    this.consumer.seek({ topic: p.topic, partition: p.partition, offset: String(p.offset) });
  }

  pause(partitions: readonly TopicPartition[]): void {
    if (partitions.length) this.consumer.pause(byTopic(partitions));
  }

  resume(partitions: readonly TopicPartition[]): void {
    if (partitions.length) this.consumer.resume(byTopic(partitions));
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (!offsets.length) return;
    try {
      await this.consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
    } catch (error) {
      throw fromKafkajsError(error);
    }
  }

  async close(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.consumer.disconnect();
  }
}

