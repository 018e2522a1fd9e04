/**
 * Creates topics unless they exist and returns each one's partition count once the broker
 * can answer for it. Right after creation (or when several processes race to create the same
 * topic) a broker may briefly have no leader for the new partitions and answer
 * NOT_LEADER / LEADER_NOT_AVAILABLE / UNKNOWN_TOPIC_OR_PARTITION; retriable errors are
 * retried with exponential back-off (100 ms doubling, at most 2 s apart) until `timeoutMs`.
 */
import type { Logger } from '../../core/api/index.ts';
import { KafkaClientError } from './client.ts';
import type { KafkaClientFactory, NewTopic } from './client.ts';

export async function ensureTopics(client: KafkaClientFactory, topics: readonly NewTopic[], logger: Logger, timeoutMs = 30_000): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const admin = client.admin();
    try {
      await admin.connect();
      await admin.createTopics(topics);
      const partitions = new Map<string, number>();
      for (const t of topics) partitions.set(t.topic, (await admin.fetchTopicOffsets(t.topic)).length);
      return partitions;
    } catch (error) {
      if (!(error instanceof KafkaClientError && error.retriable) || Date.now() > deadline) throw error;
      logger.debug(`topics ${topics.map((t) => `'${t.topic}'`).join(', ')} not ready yet; retrying`, { error: error.message, attempt });
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** attempt)));
    } finally {
      await admin.close().catch(() => undefined);
    }
  }
}
