/**
 * One transactional output per stage task, shared by the stage's repartition outputs: a
 * stage that writes two repartition topics (the two inputs of a co-partitioned operator
 * after it) writes both in one Kafka transaction per checkpoint, as Kafka Streams does with
 * one producer per task. The first output of the stage leads (it seals, commits and aborts,
 * and is the one exactly-once sink the runtime sees); the others only write. Writes are
 * serialised (a transaction takes one send at a time); the output closes with its last user.
 */
import type { OutgoingMessage } from '../../lib/kafka-client/client.ts';
import type { TransactionalOutput } from './transactional-output.ts';

/** What an output writes at a barrier (its control records), before the leader seals. */
export type BarrierHook = (savepoint: string | undefined) => Promise<void>;

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
   * Each user's `onBarrier` writes at a barrier, all of them, before the leader seals: so a
   * savepoint's markers of every topic are in that savepoint's transaction (shared-output users
   * register theirs when opened).
   */
  barrier(savepoint: string | undefined): Promise<void>;
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
    async barrier(savepoint) {
      for (const hook of [...e.hooks]) await hook(savepoint);
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
