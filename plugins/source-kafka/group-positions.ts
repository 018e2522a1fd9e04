/**
 * The `kafka` source's positions as its consumer group's offsets, for an exactly-once
 * sink (core/runtime/engine/exactly-once.ts): the position `{"<topic>:<p>": next offset}`
 * is exactly what the sink commits for the group in its transaction, and what a restore
 * reads back from the group.
 */
import type { BlockContext, ConsumerGroupPositions, GroupOffsets } from '../../core/api/index.ts';
import { parsePartitionName } from '../../lib/kafka-client/client.ts';
import { toConnection } from '../../lib/kafka-client/connection-spec.ts';
import { loadKafkajsClient } from '../../lib/kafka-client/lazy-client.ts';
import type { KafkaClientFactory } from '../../lib/kafka-client/client.ts';
import { checkPosition } from './records.ts';
import { groupIdOf, sourceTopics } from './spec.ts';
import type { KafkaSourceConfig } from './spec.ts';

export function kafkaGroupPositions(ctx: BlockContext<KafkaSourceConfig>, client?: KafkaClientFactory): ConsumerGroupPositions {
  const { config, job, id, logger, task } = ctx;
  const groupId = groupIdOf(config, job, id, task);
  return {
    offsetsOf(position: unknown): GroupOffsets {
      return { groupId, offsets: Object.entries(checkPosition(position)).map(([name, offset]) => ({ ...parsePartitionName(name), offset })) };
    },
    async committed(): Promise<GroupOffsets> {
      const admin = (client ?? (await loadKafkajsClient(await toConnection(config, `sluice-${job}-${id}`), logger))).admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchCommittedOffsets(groupId, sourceTopics(config));
        return { groupId, offsets: offsets.filter((o) => o.offset >= 0) };
      } finally {
        await admin.close();
      }
    },
  };
}
