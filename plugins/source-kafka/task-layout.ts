/**
 * How a job splits into tasks: one per partition index of its `kafka` sources' topics, which
 * must all have the same number of partitions (co-partitioned, as Kafka Streams requires of
 * the inputs it joins). Returns the task count and a client for the first source's cluster,
 * which hosts the job's task group.
 */
import { SluiceError } from '../../core/api/index.ts';
import type { Logger } from '../../core/api/index.ts';
import type { KafkaClientFactory } from '../../lib/kafka-client/client.ts';
import { toConnection } from '../../lib/kafka-client/connection-spec.ts';
import { createKafkajsClient } from '../../lib/kafka-client/kafkajs-client.ts';
import { sourceTopics } from './spec.ts';
import type { KafkaSourceConfig } from './spec.ts';
import { ensureTopics } from '../../lib/kafka-client/ensure-topics.ts';

export interface KafkaSourceBlock {
  readonly id: string;
  readonly config: KafkaSourceConfig;
}

export interface TaskLayout {
  readonly count: number;
  readonly client: KafkaClientFactory;
  /** `topic → partitions`, for messages. */
  readonly topics: ReadonlyMap<string, number>;
}

export async function kafkaTaskLayout(job: string, sources: readonly KafkaSourceBlock[], logger: Logger): Promise<TaskLayout> {
  if (sources.length === 0) throw new SluiceError('E_TASKS', `job '${job}' has no kafka source, so it cannot run as tasks (job.tasks)`);
  const client = createKafkajsClient(await toConnection(sources[0]!.config, `sluice-${job}-tasks`), logger);
  const topics = new Map<string, number>();
  for (const s of sources) {
    const c = s.id === sources[0]!.id ? client : createKafkajsClient(await toConnection(s.config, `sluice-${job}-tasks`), logger);
    if (s.config.create_topics) {
      const created = await ensureTopics(c, sourceTopics(s.config).map((topic) => ({ topic, partitions: s.config.create_topics!.partitions, replicationFactor: s.config.create_topics!.replication_factor })), logger);
      for (const [topic, n] of created) topics.set(topic, n);
      continue;
    }
    const admin = c.admin();
    await admin.connect();
    try {
      for (const topic of sourceTopics(s.config)) topics.set(topic, (await admin.fetchTopicOffsets(topic)).length);
    } finally {
      await admin.close();
    }
  }
  const counts = new Set(topics.values());
  if (counts.size !== 1) {
    const list = [...topics].map(([t, n]) => `${t} (${n})`).join(', ');
    throw new SluiceError('E_TASKS', `job '${job}' cannot run as tasks: its kafka topics differ in partition count: ${list}`);
  }
  return { count: [...counts][0]!, client, topics };
}
