/**
 * The internal topics of a job run as tasks: one per `repartition` operator
 * (`sluice.<job>.<operator>.repartition`, stages.ts), with the job's partition count P,
 * created at start by every process (idempotently: one wins, the others find it) and kept
 * with the job: its checkpoints hold offsets into them. Records are kept until deleted
 * (`retention.ms=-1`): their timestamps are event times, which may be older than any
 * time-based retention. They are removed with the job by an admin step (docs/cli.md).
 */
import { SluiceError } from '../../api/index.ts';
import type { Logger } from '../../api/index.ts';
import type { KafkaClientFactory } from '../../../lib/kafka-client/client.ts';
import type { CompiledPipeline } from '../graph/types.ts';
import { repartitionTopics } from './stages.ts';
import { ensureTopics } from '../../../lib/kafka-client/ensure-topics.ts';

export async function createRepartitionTopics(client: KafkaClientFactory, pipeline: CompiledPipeline, partitions: number, logger: Logger): Promise<void> {
  const topics = repartitionTopics(pipeline);
  if (topics.length === 0) return;
  const found = await ensureTopics(client, topics.map((topic) => ({ topic, partitions, replicationFactor: 1, configs: { 'retention.ms': '-1', 'message.timestamp.type': 'CreateTime' } })), logger);
  for (const [topic, n] of found) {
    if (n !== partitions) throw new SluiceError('E_TASKS', `repartition topic '${topic}' has ${n} partitions, but the job runs as ${partitions} tasks: delete it (the job's repartitioned state with it) or run with the partition count it was made for`);
  }
  logger.info(`repartition topics ready: ${topics.join(', ')}`, { topics, partitions });
}
