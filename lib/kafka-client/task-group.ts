/**
 * Which tasks of a job this process owns, decided by Kafka: every process of the job joins
 * the consumer group `sluice.<job>.tasks` on the job's own topic of the same name, which has
 * one partition per task and no records. The group's assignment is the ownership: partition p
 * assigned to this member means task p runs here. It is sticky (sticky-assignment.ts): a
 * rebalance moves only the tasks of members that left and, when one joins, the fewest that
 * balance the load; the survivors' own tasks stay where they run (a round robin would move
 * them too, and their old owners would go on running them while the new ones start). A
 * process that stops heartbeating for the session timeout (killed, stalled) loses its tasks
 * to the others at the next rebalance; the topic is created on first use.
 */
import { SluiceError } from '../../core/api/index.ts';
import type { Logger } from '../../core/api/index.ts';
import { ensureTopics } from './ensure-topics.ts';
import type { KafkaClientFactory, KafkaConsumer } from './client.ts';

export interface TaskGroupOptions {
  readonly client: KafkaClientFactory;
  readonly job: string;
  /** Tasks of the job: partitions of the group's topic. */
  readonly count: number;
  readonly sessionTimeoutMs: number;
  readonly logger: Logger;
}

export function taskGroupName(job: string): string {
  return `sluice.${job}.tasks`;
}

export class KafkaTaskGroup {
  private consumer: KafkaConsumer | undefined;

  constructor(private readonly o: TaskGroupOptions) {}

  /** Joins the group; `onTasks` gets the owned task indexes after every rebalance. */
  async join(onTasks: (owned: readonly number[]) => void, onFatal: (error: Error) => void): Promise<void> {
    const { client, job, count } = this.o;
    const topic = taskGroupName(job);
    // Processes starting together race to create it; the loser may find it without leaders for a moment.
    const have = (await ensureTopics(client, [{ topic, partitions: count, replicationFactor: 1 }], this.o.logger)).get(topic)!;
    if (have !== count) throw new SluiceError('E_TASKS', `topic '${topic}' has ${have} partitions but the job has ${count} tasks (its topics' partition count changed; delete '${topic}' to re-plan the job)`);
    this.consumer = client.consumer({ groupId: topic, topics: [topic], fromBeginning: true, sessionTimeoutMs: this.o.sessionTimeoutMs, withKeysAndHeaders: false, sticky: true });
    await this.consumer.start({
      onBatch: () => undefined,
      onAssign: (parts) => onTasks(parts.map((p) => p.partition).sort((a, b) => a - b)),
      onFatal,
    });
  }

  /** Leaves the group: the others take this process's tasks at once. */
  async leave(): Promise<void> {
    const c = this.consumer;
    this.consumer = undefined;
    await c?.close();
  }
}
