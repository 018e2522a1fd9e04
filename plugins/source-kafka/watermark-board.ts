/**
 * The job's watermark board on Kafka (`TaskLayout.watermarkBoard`, core/api/tasks.ts), for
 * watermark alignment across the processes of a job run as tasks: the internal topic
 * `sluice.<job>.watermarks`, one partition, compacted (`cleanup.policy=compact`: the latest
 * entry of each task is kept), each message keyed by task id with the value
 * `{"task", "process", "groups": {<group>: <watermark> | null | "-inf"}}` (null: idle).
 * Created on first use like the job's other internal topics, removed with them
 * (docs/cli.md). Every process reads it whole, from the beginning, through a consumer group
 * of its own (`sluice.<job>.watermarks.<uuid>`, which commits nothing), and publishes with a
 * plain producer (a lost or repeated entry is harmless: the next one replaces it).
 */
import { randomUUID } from 'node:crypto';
import { MIN_WATERMARK } from '../../core/api/index.ts';
import type { Logger, TaskWatermarks, WatermarkBoard } from '../../core/api/index.ts';
import type { KafkaClientFactory, KafkaConsumer, KafkaProducer } from '../../lib/kafka-client/client.ts';
import { ensureTopics } from '../../lib/kafka-client/ensure-topics.ts';

export function watermarkTopic(job: string): string {
  return `sluice.${job}.watermarks`;
}

/** One entry as the topic holds it. */
export function encodeEntry(e: TaskWatermarks): string {
  const groups: Record<string, number | null | '-inf'> = {};
  for (const [name, w] of Object.entries(e.groups)) groups[name] = w === MIN_WATERMARK ? '-inf' : w;
  return JSON.stringify({ task: e.task, process: e.process, groups });
}

/** The entry of one message; undefined when it is not one. */
export function decodeEntry(value: Uint8Array | string): TaskWatermarks | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
  const { task, process, groups } = (parsed ?? {}) as { task?: unknown; process?: unknown; groups?: unknown };
  if (typeof task !== 'string' || typeof process !== 'string' || typeof groups !== 'object' || groups === null) return undefined;
  const out: Record<string, number | null> = {};
  for (const [name, w] of Object.entries(groups)) {
    if (w === '-inf') out[name] = MIN_WATERMARK;
    else if (w === null || typeof w === 'number') out[name] = w;
    else return undefined;
  }
  return { task, process, groups: out };
}

export interface KafkaWatermarkBoardOptions {
  readonly client: KafkaClientFactory;
  readonly job: string;
  readonly logger: Logger;
}

export class KafkaWatermarkBoard implements WatermarkBoard {
  private consumer: KafkaConsumer | undefined;
  private producer: KafkaProducer | undefined;
  private warned = false;

  constructor(private readonly o: KafkaWatermarkBoardOptions) {}

  get topic(): string {
    return watermarkTopic(this.o.job);
  }

  async open(onEntries: (entries: readonly TaskWatermarks[]) => void): Promise<void> {
    const { client, logger } = this.o;
    const topic = this.topic;
    await ensureTopics(client, [{ topic, partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }], logger);
    const producer = client.producer({ idempotent: false, acks: 1, compression: 'none' });
    await producer.connect();
    this.producer = producer;
    this.consumer = client.consumer({ groupId: `${topic}.${randomUUID()}`, topics: [topic], fromBeginning: true, partitions: [0], withKeysAndHeaders: false });
    await this.consumer.start({
      onBatch: (batch) => {
        const entries: TaskWatermarks[] = [];
        for (const value of batch.values) {
          const e = decodeEntry(value);
          if (e) entries.push(e);
          else if (!this.warned) {
            this.warned = true;
            logger.warn(`watermark board '${topic}': a message that is no entry skipped`);
          }
        }
        if (entries.length) onEntries(entries);
      },
      onAssign: () => undefined,
      onFatal: (error) => logger.error(`watermark board '${topic}': reading stopped, alignment across processes sees no more updates: ${error.message}`),
    });
  }

  async publish(entries: readonly TaskWatermarks[]): Promise<void> {
    await this.producer?.send(this.topic, entries.map((e) => ({ key: e.task, value: encodeEntry(e) })));
  }

  async close(): Promise<void> {
    const [consumer, producer] = [this.consumer, this.producer];
    this.consumer = undefined;
    this.producer = undefined;
    await consumer?.close();
    await producer?.close();
  }
}
