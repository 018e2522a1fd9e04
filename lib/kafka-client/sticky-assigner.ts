/**
 * The kafkajs partition assigner of a group whose members should keep what they own across
 * rebalances (the job's task group, task-group.ts): each member sends the partitions it owns
 * now in its join metadata (`userData`, JSON `{ topic: [partitions] }`), and the group
 * leader's `assign` keeps them where they are (sticky-assignment.ts). A member that cannot
 * be read (another assigner's metadata) counts as owning nothing.
 */
import { AssignerProtocol } from './kafkajs.ts';
import type { PartitionAssigner } from 'kafkajs';
import { stickyAssignment } from './sticky-assignment.ts';

const NAME = 'SluiceSticky';
const VERSION = 1;

/** What the member owns now, read at every join (the consumer updates it on every assignment). */
export type OwnedNow = () => Readonly<Record<string, readonly number[]>>;

function previousOf(metadata: Buffer, topic: string): number[] {
  try {
    const data = AssignerProtocol.MemberMetadata.decode(metadata)?.userData;
    if (!data || data.length === 0) return [];
    const owned = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
    const list = owned[topic];
    return Array.isArray(list) ? list.filter((p): p is number => Number.isInteger(p)) : [];
  } catch {
    return [];
  }
}

export function stickyAssigner(owned: OwnedNow): PartitionAssigner {
  return ({ cluster }) => ({
    name: NAME,
    version: VERSION,
    async assign({ members, topics }) {
      const assignment = new Map<string, Record<string, number[]>>(members.map((m) => [m.memberId, {}]));
      for (const topic of topics) {
        const partitions = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId);
        const byMember = stickyAssignment(members.map((m) => ({ id: m.memberId, previous: previousOf(m.memberMetadata, topic) })), partitions);
        for (const [id, list] of byMember) assignment.get(id)![topic] = list;
      }
      return [...assignment].map(([memberId, a]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: VERSION, assignment: a, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      const userData = Buffer.from(JSON.stringify(owned()), 'utf8');
      return { name: NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: VERSION, topics, userData }) };
    },
  });
}
