/**
 * How a job splits into tasks (the `kafka` source's `tasks`, core/api/tasks.ts): one per
 * partition index of its `kafka` sources' topics, which must all have the same number of
 * partitions (co-partitioned, as Kafka Streams requires of the inputs it joins). The first
 * source's cluster hosts the job's task group and its repartition topics
 * (`sluice.<job>.<operator>.repartition`), created with the job's partition count and kept
 * with the job: its checkpoints hold offsets into them. Their records are kept until deleted
 * (`retention.ms=-1`): their timestamps are event times, which may be older than any
 * time-based retention. They are removed with the job by an admin step (docs/cli.md), as is
 * the job's watermark board `sluice.<job>.watermarks` (watermark-board.ts: alignment across
 * the job's processes).
 */
import { SluiceError } from '../../core/api/index.ts';
import type { Logger, PartitionedSource, TaskLayout, TaskLayoutContext } from '../../core/api/index.ts';
import type { KafkaClientFactory } from '../../lib/kafka-client/client.ts';
import { KafkaTaskGroup, sendTaskRequest } from '../../lib/kafka-client/task-group.ts';
import { repartitionInput } from './repartition-source.ts';
import { toConnection } from '../../lib/kafka-client/connection-spec.ts';
import { loadKafkajsClient } from '../../lib/kafka-client/lazy-client.ts';
import { sourceTopics } from './spec.ts';
import type { KafkaSourceConfig } from './spec.ts';
import { ensureTopics } from '../../lib/kafka-client/ensure-topics.ts';
import { KafkaWatermarkBoard } from './watermark-board.ts';

export interface KafkaSourceBlock {
  readonly id: string;
  readonly config: KafkaSourceConfig;
}

export interface KafkaTaskLayout {
  readonly count: number;
  readonly client: KafkaClientFactory;
  /** `topic → partitions`, for messages. */
  readonly topics: ReadonlyMap<string, number>;
}

/** The `kafka` source's `tasks`: the layout, and the source half of the repartition pair. */
export const kafkaTasks: PartitionedSource<KafkaSourceConfig> = {
  async layout({ job, blocks, logger }: TaskLayoutContext<KafkaSourceConfig>): Promise<TaskLayout> {
    const { count, client } = await kafkaTaskLayout(job, blocks, logger);
    return {
      count,
      cluster: blocks[0]!.config,
      group: (sessionTimeoutMs) => new KafkaTaskGroup({ client, job, count, sessionTimeoutMs, logger }),
      createTopics: (topics) => createRepartitionTopics(client, topics, count, logger),
      request: (request) => sendTaskRequest(client, job, count, request),
      watermarkBoard: () => new KafkaWatermarkBoard({ client, job, logger }),
    };
  },
  repartitionInput,
};

export async function kafkaTaskLayout(job: string, sources: readonly KafkaSourceBlock[], logger: Logger): Promise<KafkaTaskLayout> {
  if (sources.length === 0) throw new SluiceError('E_TASKS', `job '${job}' has no kafka source, so it cannot run as tasks (job.tasks)`);
  const client = await loadKafkajsClient(await toConnection(sources[0]!.config, `sluice-${job}-tasks`), logger);
  const topics = new Map<string, number>();
  for (const s of sources) {
    const c = s.id === sources[0]!.id ? client : await loadKafkajsClient(await toConnection(s.config, `sluice-${job}-tasks`), logger);
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

async function createRepartitionTopics(client: KafkaClientFactory, topics: readonly string[], partitions: number, logger: Logger): Promise<void> {
  if (topics.length === 0) return;
  const found = await ensureTopics(client, topics.map((topic) => ({ topic, partitions, replicationFactor: 1, configs: { 'retention.ms': '-1', 'message.timestamp.type': 'CreateTime' } })), logger);
  for (const [topic, n] of found) {
    if (n !== partitions) throw new SluiceError('E_TASKS', `repartition topic '${topic}' has ${n} partitions, but the job runs as ${partitions} tasks: delete it (the job's repartitioned state with it) or run with the partition count it was made for`);
  }
  logger.info(`repartition topics ready: ${topics.join(', ')}`, { topics, partitions });
}
