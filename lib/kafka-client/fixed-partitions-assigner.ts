/**
 * A kafkajs partition assigner that gives every member of the group the same partitions of
 * every subscribed topic: the group of one task's consumer (`sluice.<job>.<source>.task-<p>`)
 * reads partition p and nothing else, whoever joins it. kafkajs has no manual assignment;
 * a group whose assignment is fixed is the way to read chosen partitions with it. A second
 * member (an old owner that has not noticed it lost the task) reads the same partition; the
 * task's checkpoint, not the group, says where the new owner resumes.
 */
import { AssignerProtocol } from './kafkajs.ts';
import type { PartitionAssigner } from 'kafkajs';

const NAME = 'SluiceFixedPartitions';
const VERSION = 1;

export function fixedPartitionsAssigner(partitions: readonly number[]): PartitionAssigner {
  return () => ({
    name: NAME,
    version: VERSION,
    async assign({ members, topics }) {
      const assignment: Record<string, number[]> = {};
      for (const topic of topics) assignment[topic] = [...partitions];
      return members.map((m) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: VERSION, assignment, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name: NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: VERSION, topics, userData: Buffer.alloc(0) }) };
    },
  });
}
