/**
 * The `kafka` sink's exactly-once writer as the runtime sees it before a restore
 * (`SinkDefinition.exactlyOnce`): `fence` opens a transactional producer with the sink's
 * transactional id and initialises it, which fences the previous incarnation and aborts
 * the transaction it left open; after that the consumer groups' committed offsets are
 * final. The sink's own producer initialises again when it opens (one more epoch).
 */
import type { BlockContext, ExactlyOnceWriter } from '../../core/api/index.ts';
import type { KafkaClientFactory } from '../../lib/kafka-client/client.ts';
import { toConnection } from '../../lib/kafka-client/connection-spec.ts';
import { loadKafkajsClient } from '../../lib/kafka-client/lazy-client.ts';
import { markedCheckpoint } from './checkpoint-marker.ts';
import { ACKS, transactionalIdOf } from './spec.ts';
import type { KafkaSinkConfig } from './spec.ts';

export function kafkaSinkWriter(ctx: BlockContext<KafkaSinkConfig>, client?: KafkaClientFactory): ExactlyOnceWriter | undefined {
  const { config, job, id, logger, task } = ctx;
  if (!config.exactly_once) return undefined;
  const transactionalId = transactionalIdOf(job, id, task);
  const factoryOf = async () => client ?? loadKafkajsClient(await toConnection(config, `sluice-${job}-${id}`), logger);
  return {
    async committedCheckpoint() {
      return markedCheckpoint(await factoryOf(), transactionalId, config.topic);
    },
    async fence() {
      const factory = await factoryOf();
      const producer = factory.transactionalProducer({
        transactionalId, transactionTimeoutMs: config.transaction_timeout, idempotent: true, acks: ACKS[config.acks], compression: config.compression, timeoutMs: config.ack_timeout,
      });
      await producer.connect();
      try {
        await producer.init();
        logger.info(`exactly once: fenced earlier writers of transactional id '${transactionalId}'`, { transactional_id: transactionalId });
      } finally {
        await producer.close();
      }
    },
  };
}
