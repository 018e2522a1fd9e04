/**
 * The exactly-once sink's checkpoint marker: every transaction also commits, for the group
 * `<transactional id>.checkpoint`, the offset "checkpoint id" on partition 0 of the sink's
 * topic (Kafka does not check a committed offset against the log). It commits with the
 * output or not at all, so after a fence the group's offset is the id of the checkpoint
 * whose transaction committed last: the restore point, whatever the sources are
 * (core/runtime/engine/exactly-once.ts). Sources without consumer groups (a NATS key-value
 * bucket) then restart from that checkpoint's positions like any other.
 */
import type { GroupOffsets } from '../../core/api/index.ts';
import type { KafkaClientFactory } from '../../lib/kafka-client/client.ts';

export function markerGroup(transactionalId: string): string {
  return `${transactionalId}.checkpoint`;
}

export function checkpointMarker(transactionalId: string, topic: string, checkpoint: number): GroupOffsets {
  return { groupId: markerGroup(transactionalId), offsets: [{ topic, partition: 0, offset: checkpoint }] };
}

/** The checkpoint id the marker group committed last; undefined when it committed none. */
export async function markedCheckpoint(client: KafkaClientFactory, transactionalId: string, topic: string): Promise<number | undefined> {
  const admin = client.admin();
  await admin.connect();
  try {
    const at = (await admin.fetchCommittedOffsets(markerGroup(transactionalId), [topic])).find((o) => o.partition === 0);
    return at && at.offset >= 0 ? at.offset : undefined;
  } finally {
    await admin.close();
  }
}
