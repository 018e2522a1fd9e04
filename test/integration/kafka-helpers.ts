/**
 * Helpers for the Kafka integration tests (real broker at 127.0.0.1:9092, shared: every
 * topic and group gets a random suffix and topics are deleted after the test).
 * Messages are produced and read back with kafkajs directly, not through the plugins.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { IHeaders, Message } from 'kafkajs';

export const BROKERS = ['127.0.0.1:9092'];

const kafka = new Kafka({ brokers: BROKERS, clientId: 'sluice-kafka-tests', logLevel: logLevel.NOTHING });

export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

const groups: string[] = [];

/** A unique consumer group name, deleted by `cleanup`. */
export function uniqueGroup(prefix = 'g'): string {
  const g = unique(prefix);
  groups.push(g);
  return g;
}

export type Admin = ReturnType<Kafka['admin']>;

/** The admin calls of the tests against another broker (a test's private one, scripts/services with other ports). */
export function adminAt(brokers: readonly string[]) {
  const at = new Kafka({ brokers: [...brokers], clientId: 'sluice-kafka-tests', logLevel: logLevel.NOTHING });
  return {
    async withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
      const admin = at.admin();
      await admin.connect();
      try {
        return await fn(admin);
      } finally {
        await admin.disconnect();
      }
    },
    /** Committed next-offsets of a group per partition (-1: none). */
    async committed(groupId: string, topic: string): Promise<Record<number, number>> {
      const list = await this.withAdmin((a) => a.fetchOffsets({ groupId, topics: [topic] }));
      return Object.fromEntries(list[0]!.partitions.map((p) => [p.partition, Number(p.offset)]));
    },
    async endOffsets(topic: string): Promise<Record<number, number>> {
      const list = await this.withAdmin((a) => a.fetchTopicOffsets(topic));
      return Object.fromEntries(list.map((o) => [o.partition, Number(o.high)]));
    },
  };
}

const admin = adminAt(BROKERS);

export function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  return admin.withAdmin(fn);
}

export function createTopic(topic: string, partitions: number): Promise<boolean> {
  return withAdmin((a) => a.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true }));
}

/** Deletes the topics given and every group made by `uniqueGroup` (the broker is shared). */
export async function cleanup(...topics: string[]): Promise<void> {
  await withAdmin(async (a) => {
    const existing = new Set(await a.listTopics());
    const gone = topics.filter((t) => existing.has(t));
    if (gone.length) await a.deleteTopics({ topics: gone });
    const known = new Set((await a.listGroups()).groups.map((g) => g.groupId));
    const mine = groups.splice(0).filter((g) => known.has(g));
    // A group still holding a member cannot be deleted; the broker expires it later.
    if (mine.length) await a.deleteGroups(mine).catch(() => undefined);
  });
}

export async function produce(topic: string, messages: Message[]): Promise<void> {
  const p = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await p.connect();
  try {
    await p.send({ topic, messages });
  } finally {
    await p.disconnect();
  }
}

/** Committed next-offsets of a group per partition (-1: none). */
export function committed(groupId: string, topic: string): Promise<Record<number, number>> {
  return admin.committed(groupId, topic);
}

export function endOffsets(topic: string): Promise<Record<number, number>> {
  return admin.endOffsets(topic);
}

export interface ReadMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string;
  readonly headers: Record<string, string>;
}

function headerText(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k] = String(v);
  return out;
}

/** Reads a topic from the start until the end offsets at call time are reached. */
export async function readAll(topic: string): Promise<ReadMessage[]> {
  const ends = await endOffsets(topic);
  const total = Object.values(ends).reduce((a, b) => a + b, 0);
  const out: ReadMessage[] = [];
  if (total === 0) return out;
  const c = kafka.consumer({ groupId: uniqueGroup('reader'), maxWaitTimeInMs: 200 });
  await c.connect();
  try {
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({
      eachBatch: ({ batch }) => {
        for (const m of batch.messages) {
          out.push({ partition: batch.partition, offset: Number(m.offset), key: m.key ? m.key.toString() : null, value: m.value?.toString() ?? '', headers: headerText(m.headers) });
        }
        return Promise.resolve();
      },
    });
    await until(() => out.length >= total, `reading ${total} messages of ${topic} (got ${out.length})`);
  } finally {
    await c.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** Waits until `check` holds (a wait for the broker, not a timing assertion). */
export async function until(check: () => boolean | Promise<boolean>, what: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for: ${what}`);
    await sleep(50);
  }
}
