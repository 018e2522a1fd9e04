/**
 * One transactional output per stage task, shared by the stage's repartition outputs: a
 * stage that writes two repartition topics (the two inputs of a co-partitioned operator
 * after it) writes both in one Kafka transaction per checkpoint, as Kafka Streams does with
 * one producer per task. The first output of the stage leads (it seals, commits and aborts,
 * and is the one exactly-once sink the runtime sees); the others only write. Writes are
 * serialised (a transaction takes one send at a time); the output closes with its last user.
 */
import type { OutgoingMessage } from '../../lib/kafka-client/client.ts';
import type { SealPosition, TransactionalOutput } from './transactional-output.ts';

/** Writes messages to a topic of the shared transaction. */
export type SharedWrite = (messages: readonly OutgoingMessage[], topic: string) => Promise<void>;

/** What an output writes at a barrier (its control records, through `write`), before the leader seals. */
export type BarrierHook = (savepoint: string | undefined, write: SharedWrite) => Promise<void>;

interface Entry {
  readonly output: TransactionalOutput;
  readonly started: Promise<void>;
  users: number;
  lock: Promise<unknown>;
  readonly hooks: Set<BarrierHook>;
}

const outputs = new Map<string, Entry>();

export interface SharedOutput {
  readonly output: TransactionalOutput;
  write(messages: readonly OutgoingMessage[], topic: string): Promise<void>;
  /**
   * The barrier, as one step of the output's write order (the leader's): each user's
   * `onBarrier` writes (a savepoint's markers of every topic are then in that savepoint's
   * transaction; users register theirs when opened), then the transaction is sealed. Writes
   * asked for after this call, by any user, come after the seal (held for the next
   * transaction). The runtime asks each sink for its position behind that sink's own earlier
   * writes only, and with unaligned checkpoints lets the others run on at once: a non-leader's
   * later writes, queued before a seal asked for only once the hooks had written, went into the
   * checkpoint's transaction although the checkpoint also held their items in flight, and the
   * restored task wrote them again (the flagship's kill -9 case: triggers counted twice).
   */
  seal(savepoint: string | undefined): Promise<SealPosition>;
  release(): Promise<void>;
}

/**
 * The output of `transactionalId` in this process, made by `make` and started for the first
 * user. The leader (`fresh`) always makes a new one: a job attempt opens its plugins in
 * order, the leader before the other outputs, so an output left by an earlier attempt (its
 * producer fenced by this attempt's restore) is never reused; it closes with its last user.
 */
export async function acquireOutput(transactionalId: string, make: () => TransactionalOutput, fresh: boolean, onBarrier?: BarrierHook): Promise<SharedOutput> {
  let entry = fresh ? undefined : outputs.get(transactionalId);
  if (!entry) {
    const output = make();
    entry = { output, started: output.start(), users: 0, lock: Promise.resolve(), hooks: new Set() };
    outputs.set(transactionalId, entry);
  }
  entry.users++;
  const e = entry;
  if (onBarrier) e.hooks.add(onBarrier);
  try {
    await e.started;
  } catch (error) {
    if (outputs.get(transactionalId) === e) outputs.delete(transactionalId);
    throw error;
  }
  let released = false;
  return {
    output: e.output,
    write(messages, topic) {
      const run = e.lock.then(() => e.output.write(messages, topic));
      e.lock = run.catch(() => undefined);
      return run;
    },
    seal(savepoint) {
      // Inside this step the output is ours: the hooks write to it directly, not through the lock.
      const direct: SharedWrite = (messages, topic) => e.output.write(messages, topic);
      const run = e.lock.then(async () => {
        for (const hook of [...e.hooks]) await hook(savepoint, direct);
        return e.output.seal();
      });
      e.lock = run.catch(() => undefined);
      return run;
    },
    async release() {
      if (released) return;
      released = true;
      if (onBarrier) e.hooks.delete(onBarrier);
      if (--e.users > 0) return;
      if (outputs.get(transactionalId) === e) outputs.delete(transactionalId);
      await e.output.close();
    },
  };
}
