/**
 * One transactional output per stage task, shared by the stage's repartition outputs: a
 * stage that writes two repartition topics (the two inputs of a co-partitioned operator
 * after it) writes both in one Kafka transaction per checkpoint, as Kafka Streams does with
 * one producer per task. The first output of the stage leads (it seals, commits and aborts,
 * and is the one exactly-once sink the runtime sees); the others only write. Writes are
 * serialised (a transaction takes one send at a time); the output closes with its last user.
 *
 * **The cut.** At an unaligned barrier the runtime asks every sink for its position behind
 * that sink's earlier writes and lets the job go on at once, so each output reaches the
 * barrier on its own: one may already write records of after the barrier while another has
 * not reached it. Each user therefore `cut`s where it reaches the barrier (its own position
 * in its own writes), and the leader seals only once every user has cut; a user's writes
 * after its cut wait until that seal (they then go into the next transaction), or until the
 * checkpoint is declined (they join the open one). Without this, a follower's records of
 * after the barrier went into the barrier's transaction, and a restore of that checkpoint
 * wrote them again (the flagship's 1 → 2 → 1 run counted 817 triggers twice, docs/scale.md §4).
 */
import type { OutgoingMessage } from '../../lib/kafka-client/client.ts';
import type { SealPosition, TransactionalOutput } from './transactional-output.ts';

/** One user's progress through the barriers: how many it has cut. */
interface User {
  cuts: number;
}

interface Entry {
  readonly output: TransactionalOutput;
  readonly started: Promise<void>;
  readonly users: Set<User>;
  lock: Promise<unknown>;
  /** Barriers concluded (sealed, or their checkpoint declined): users with more cuts wait. */
  concluded: number;
  /** Woken whenever a user cuts or a barrier concludes. */
  waiters: (() => void)[];
}

const outputs = new Map<string, Entry>();

export interface SharedOutput {
  readonly output: TransactionalOutput;
  /** Writes into the shared transaction; after this user's cut, once the barrier is sealed. */
  write(messages: readonly OutgoingMessage[], topic: string): Promise<void>;
  /** This user reached the barrier: what it writes from now on belongs to the next checkpoint. */
  cut(): void;
  /** The leader, after its own cut: seals once every user has cut (rejects when the checkpoint is declined first). */
  seal(): Promise<SealPosition>;
  /** The checkpoint was declined: every barrier so far is concluded, and the held writes join the open transaction. */
  abort(): Promise<void>;
  release(): Promise<void>;
}

function wake(e: Entry): void {
  const w = e.waiters;
  e.waiters = [];
  for (const resolve of w) resolve();
}

const changed = (e: Entry) => new Promise<void>((resolve) => e.waiters.push(resolve));

/**
 * The output of `transactionalId` in this process, made by `make` and started for the first
 * user. The leader (`fresh`) always makes a new one: a job attempt opens its plugins in
 * order, the leader before the other outputs, so an output left by an earlier attempt (its
 * producer fenced by this attempt's restore) is never reused; it closes with its last user.
 */
export async function acquireOutput(transactionalId: string, make: () => TransactionalOutput, fresh: boolean): Promise<SharedOutput> {
  let entry = fresh ? undefined : outputs.get(transactionalId);
  if (!entry) {
    const output = make();
    entry = { output, started: output.start(), users: new Set(), lock: Promise.resolve(), concluded: 0, waiters: [] };
    outputs.set(transactionalId, entry);
  }
  const e = entry;
  const user: User = { cuts: e.concluded };
  e.users.add(user);
  try {
    await e.started;
  } catch (error) {
    e.users.delete(user);
    if (outputs.get(transactionalId) === e) outputs.delete(transactionalId);
    throw error;
  }
  let released = false;
  return {
    output: e.output,
    async write(messages, topic) {
      while (user.cuts > e.concluded && e.users.has(user)) await changed(e);
      const run = e.lock.then(() => e.output.write(messages, topic));
      e.lock = run.catch(() => undefined);
      return run;
    },
    cut() {
      user.cuts++;
      wake(e);
    },
    async seal() {
      const round = user.cuts;
      for (;;) {
        if (e.concluded >= round) throw new Error(`exactly once: the checkpoint of barrier ${round} was declined before every output reached it`);
        if ([...e.users].every((u) => u.cuts >= round)) break;
        await changed(e);
      }
      // Behind every write the users made before their cuts (each resolved before its cut).
      const run = e.lock.then(() => e.output.seal());
      e.lock = run.catch(() => undefined);
      try {
        return await run;
      } finally {
        e.concluded = Math.max(e.concluded, round);
        wake(e);
      }
    },
    async abort() {
      for (const u of e.users) e.concluded = Math.max(e.concluded, u.cuts);
      wake(e);
      await e.output.abort();
    },
    async release() {
      if (released) return;
      released = true;
      e.users.delete(user);
      wake(e);
      if (e.users.size > 0) return;
      if (outputs.get(transactionalId) === e) outputs.delete(transactionalId);
      await e.output.close();
    },
  };
}
