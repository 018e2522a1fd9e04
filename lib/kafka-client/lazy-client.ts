/**
 * `createKafkajsClient`, loaded on first use. A plugin's module is imported whenever a
 * pipeline names it — by `sluice lint`, `plugins docs`, a dry run — but kafkajs is needed
 * only once the job connects, so the plugins reach the client through this async door and
 * the commands that never connect do not pay for loading it.
 */
import type { Logger } from '../../core/api/index.ts';
import type { KafkaClientFactory, KafkaConnection } from './client.ts';

export async function loadKafkajsClient(connection: KafkaConnection, logger: Logger): Promise<KafkaClientFactory> {
  const { createKafkajsClient } = await import('./kafkajs-client.ts');
  return createKafkajsClient(connection, logger);
}
