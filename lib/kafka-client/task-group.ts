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
 *
 * When the group's consumer stops for good (kafkajs gives up, e.g. "Failed to find group
 * coordinator" while the broker restarts), the process joins again with back-off (1 s,
 * doubling to 30 s, `REJOIN_TRIES` tries in a row) instead of failing: its tasks run on
 * meanwhile, as in a stalled process, and the assignment of the new join says which it keeps.
 * Only when every try fails does `onFatal` end the process.
 *
 * Requests (`sendTaskRequest`, e.g. `sluice savepoint`) are records of that topic, one per
 * partition: the member that owns partition p receives the one for task p, wherever it runs.
 * Its offset is committed once the request is handled; one not handled when the task moves
 * is read again by the new owner (requests are idempotent: a savepoint already taken is not
 * taken twice).
 */
import { SluiceError } from '../../core/api/index.ts';
import type { Logger, TaskRequest } from '../../core/api/index.ts';
import { ensureTopics } from './ensure-topics.ts';
import type { KafkaClientFactory, KafkaConsumer } from './client.ts';

export interface TaskGroupOptions {
  readonly client: KafkaClientFactory;
  readonly job: string;
  /** Tasks of the job: partitions of the group's topic. */
  readonly count: number;
  readonly sessionTimeoutMs: number;
  readonly logger: Logger;
  /** First back-off before joining again after the consumer stopped (default 1000 ms; doubles up to 30 s). */
  readonly rejoinBaseMs?: number;
}

/** Tries in a row to join again after the group's consumer stopped, before the process fails. */
export const REJOIN_TRIES = 10;
const REJOIN_MAX_MS = 30_000;

interface GroupHandlers {
  readonly onTasks: (owned: readonly number[]) => void;
  readonly onFatal: (error: Error) => void;
  readonly onRequest: ((task: number, request: TaskRequest) => Promise<void>) | undefined;
}

export function taskGroupName(job: string): string {
  return `sluice.${job}.tasks`;
}

export class KafkaTaskGroup {
  private consumer: KafkaConsumer | undefined;
  private leaving = false;
  /** Joins tried since the last assignment. */
  private failures = 0;
  private wake: (() => void) | undefined;
  private rejoining = false;

  constructor(private readonly o: TaskGroupOptions) {}

  /** Joins the group; `onTasks` gets the owned task indexes after every rebalance, `onRequest` the requests for them. */
  async join(onTasks: (owned: readonly number[]) => void, onFatal: (error: Error) => void, onRequest?: (task: number, request: TaskRequest) => Promise<void>): Promise<void> {
    const { client, job, count } = this.o;
    const topic = taskGroupName(job);
    // Processes starting together race to create it; the loser may find it without leaders for a moment.
    const have = (await ensureTopics(client, [{ topic, partitions: count, replicationFactor: 1 }], this.o.logger)).get(topic)!;
    if (have !== count) throw new SluiceError('E_TASKS', `topic '${topic}' has ${have} partitions but the job has ${count} tasks (its topics' partition count changed; delete '${topic}' to re-plan the job)`);
    await this.start({ onTasks, onFatal, onRequest });
  }

  /** Joins again after `stopped` stopped for good, with back-off; `onFatal` once every try failed. */
  private async rejoin(stopped: KafkaConsumer, error: Error, h: GroupHandlers): Promise<void> {
    // A consumer this loop starts reports a failed start through `start` too: the loop handles it.
    if (this.rejoining || this.consumer !== stopped || this.leaving) return;
    this.rejoining = true;
    try {
      await this.rejoinWithBackOff(stopped, error, h);
    } finally {
      this.rejoining = false;
    }
  }

  private async rejoinWithBackOff(stopped: KafkaConsumer, error: Error, h: GroupHandlers): Promise<void> {
    this.consumer = undefined;
    await stopped.close().catch(() => undefined);
    const topic = taskGroupName(this.o.job);
    for (;;) {
      if (this.leaving) return;
      if (++this.failures > REJOIN_TRIES) {
        h.onFatal(error);
        return;
      }
      const delay = Math.min(REJOIN_MAX_MS, (this.o.rejoinBaseMs ?? 1000) * 2 ** (this.failures - 1));
      this.o.logger.warn(`task group '${topic}': its consumer stopped (${error.message}); joining again in ${delay} ms (try ${this.failures} of ${REJOIN_TRIES}); this process's tasks run on meanwhile`, { attempt: this.failures, delay_ms: delay });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      if (this.leaving) return;
      try {
        await this.start(h);
        return;
      } catch (cause) {
        error = cause as Error;
        const failed = this.consumer as KafkaConsumer | undefined; // set by `start` before it failed
        this.consumer = undefined;
        await failed?.close().catch(() => undefined);
      }
    }
  }

  private async start(h: GroupHandlers): Promise<void> {
    const { client, job } = this.o;
    const { onTasks, onRequest } = h;
    const topic = taskGroupName(job);
    const consumer = client.consumer({ groupId: topic, topics: [topic], fromBeginning: true, sessionTimeoutMs: this.o.sessionTimeoutMs, withKeysAndHeaders: false, sticky: true });
    this.consumer = consumer;
    await consumer.start({
      // Handled in the background: the consumer must stay free to rejoin on a rebalance.
      onBatch: (batch) => {
        for (let i = 0; i < batch.length; i++) {
          const request = decodeTaskRequest(batch.values[i]!);
          const next = { topic, partition: batch.partition, offset: batch.offsets[i]! + 1 };
          if (!request || !onRequest || (request.expires !== undefined && request.expires < Date.now())) {
            void consumer.commit([next]).catch(() => undefined);
            continue;
          }
          this.o.logger.info(`request for task-${batch.partition}: savepoint ${request.savepoint}`, { task: batch.partition, savepoint: request.savepoint });
          void onRequest(batch.partition, request).then(
            () => consumer.commit([next]).catch(() => undefined),
            (error: unknown) => this.o.logger.error(`request for task-${batch.partition} failed: ${(error as Error).message}`, { task: batch.partition }),
          );
        }
      },
      onAssign: (parts) => {
        this.failures = 0;
        onTasks(parts.map((p) => p.partition).sort((a, b) => a - b));
      },
      onFatal: (error) => void this.rejoin(consumer, error, h),
    });
  }

  /** Leaves the group: the others take this process's tasks at once. */
  async leave(): Promise<void> {
    this.leaving = true;
    this.wake?.();
    const c = this.consumer;
    this.consumer = undefined;
    await c?.close();
  }
}

const decoder = new TextDecoder();

/** The request in a record of the task topic; undefined for anything else. */
export function decodeTaskRequest(value: Uint8Array | string): TaskRequest | undefined {
  try {
    const body = JSON.parse(typeof value === 'string' ? value : decoder.decode(value)) as { savepoint?: unknown; expires?: unknown };
    if (typeof body?.savepoint !== 'string' || !/^[A-Za-z0-9._-]{1,128}$/.test(body.savepoint)) return undefined;
    return typeof body.expires === 'number' ? { savepoint: body.savepoint, expires: body.expires } : { savepoint: body.savepoint };
  } catch {
    return undefined;
  }
}

/** Writes `request` to every partition of the job's task topic: each task's owner receives its own. */
export async function sendTaskRequest(client: KafkaClientFactory, job: string, count: number, request: TaskRequest): Promise<void> {
  const producer = client.producer({ idempotent: true, acks: -1, compression: 'none' });
  await producer.connect();
  try {
    const value = JSON.stringify(request);
    await producer.send(taskGroupName(job), Array.from({ length: count }, (_, partition) => ({ key: null, value, partition })));
  } finally {
    await producer.close();
  }
}
