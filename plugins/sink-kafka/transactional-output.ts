/**
 * The `kafka` sink's exactly-once output: what is written between two checkpoints goes
 * into one Kafka transaction, committed together with the sources' consumer-group offsets
 * once the checkpoint's manifest is committed (core/runtime/engine/exactly-once.ts).
 *
 *   write        → sent into the open transaction (begun on the first send);
 *   seal         at the barrier (every earlier write resolved): later writes are held in
 *                memory, since they belong to the next checkpoint, not to this transaction;
 *   complete     the checkpoint completed: its offsets join the transaction, which
 *                commits; the held writes then go into a new transaction in the
 *                background (the checkpoint does not wait for them) and later writes
 *                wait for them, so the order is kept;
 *   abort        the checkpoint was declined: the held writes join the open transaction,
 *                which the next completed checkpoint commits.
 *
 * Held writes are bounded by `maxHeldBytes`: a write past it waits (back-pressure) until
 * the checkpoint completes or aborts. One transactional producer, one transaction at a
 * time; a seal never comes while a send is in flight (the runtime calls `checkpoint` after
 * earlier writes resolved), so the holding needs no second producer, and a declined
 * checkpoint simply extends the open transaction.
 *
 * A failed send or commit leaves the transaction unusable (part of a batch may be in it):
 * every later call fails, so the job restarts from its last checkpoint and the next
 * incarnation's `init` aborts the transaction.
 */
import type { GroupOffsets, Logger } from '../../core/api/index.ts';
import type { OutgoingMessage, TransactionalProducer } from '../../lib/kafka-client/client.ts';

export interface TransactionalOutputOptions {
  readonly producer: TransactionalProducer;
  readonly topic: string;
  readonly batchSize: number;
  readonly maxHeldBytes: number;
  readonly logger: Logger;
}

/** The sink's checkpoint position in exactly-once mode: the seal it took. */
export interface SealPosition {
  readonly seal: number;
}

/** Approximate heap bytes of held messages: value and key, plus the message object. */
function bytesOf(messages: readonly OutgoingMessage[]): number {
  let n = 0;
  for (const m of messages) n += m.value.length + (m.key?.length ?? 0) + 64;
  return n;
}

export class TransactionalOutput {
  private inTransaction = false;
  /** The seal of the barrier whose checkpoint has not completed yet; undefined: writes flow. */
  private sealed: number | undefined;
  private seals = 0;
  private readonly held: { topic: string; messages: OutgoingMessage[] }[] = [];
  private heldBytes = 0;
  private waiters: (() => void)[] = [];
  /** Sending the writes held at the last seal; writes and the next seal wait for it. */
  private draining: Promise<void> | undefined;
  private broken: Error | undefined;
  /** Committed transactions and what they carried, for logs and tests. */
  committed = 0;

  constructor(private readonly o: TransactionalOutputOptions) {}

  /** Connects and fences earlier producers with this transactional id. */
  async start(): Promise<void> {
    await this.o.producer.connect();
    await this.o.producer.init();
  }

  /** Writes to the output's topic, or to `topic` (one transaction may span topics). */
  async write(messages: readonly OutgoingMessage[], topic = this.o.topic): Promise<void> {
    this.check();
    if (this.sealed === undefined) {
      if (this.draining) await this.draining;
      this.check();
      return this.send(topic, messages);
    }
    this.held.push({ topic, messages: [...messages] });
    this.heldBytes += bytesOf(messages);
    while (this.sealed !== undefined && this.heldBytes > this.o.maxHeldBytes) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      this.check();
    }
  }

  /** At a barrier. A seal still standing (its checkpoint never reported) folds into this one. */
  async seal(): Promise<SealPosition> {
    if (this.draining) await this.draining;
    this.check();
    if (this.sealed !== undefined) await this.flushHeld();
    this.sealed = ++this.seals;
    return { seal: this.sealed };
  }

  /** The checkpoint recorded at `position` completed: commit its transaction with `offsets`. */
  async complete(position: unknown, offsets: readonly GroupOffsets[]): Promise<void> {
    this.check();
    const seal = (position as Partial<SealPosition> | null)?.seal;
    if (this.sealed === undefined || seal !== this.sealed) {
      throw this.fail(new Error(`exactly once: checkpoint completed for seal ${String(seal)} while seal ${this.sealed ?? 'none'} is open`));
    }
    try {
      const toCommit = offsets.filter((g) => g.offsets.length > 0);
      if (toCommit.length && !this.inTransaction) await this.begin();
      for (const g of toCommit) await this.o.producer.sendOffsets(g.groupId, g.offsets);
      if (this.inTransaction) {
        this.inTransaction = false;
        await this.o.producer.commit();
        this.committed++;
      }
    } catch (error) {
      throw this.fail(error);
    }
    this.release();
  }

  /** The checkpoint after the last seal was declined: the held writes join the open transaction. */
  async abort(): Promise<void> {
    this.check();
    if (this.sealed !== undefined) this.release();
    return Promise.resolve();
  }

  /** Aborts the open transaction (what was written since the last checkpoint is not output). */
  async close(): Promise<void> {
    if (this.draining) await this.draining;
    const open = this.inTransaction && !this.broken;
    this.inTransaction = false;
    this.broken ??= new Error('exactly once: the sink is closed');
    this.wake();
    try {
      if (open) await this.o.producer.abort();
    } finally {
      await this.o.producer.close();
    }
  }

  /** Writes flow again: the held ones first, sent in the background. */
  private release(): void {
    this.sealed = undefined;
    if (this.held.length) {
      const run = this.flushHeld().then(
        () => {
          if (this.draining === run) this.draining = undefined;
        },
        // `fail` recorded the error: every later call reports it.
        () => undefined,
      );
      this.draining = run;
    }
    this.wake();
  }

  /** Sends the held writes in order, including any held while this runs. */
  private async flushHeld(): Promise<void> {
    while (this.held.length) {
      const next = this.held.shift()!;
      this.heldBytes -= bytesOf(next.messages);
      await this.send(next.topic, next.messages);
    }
  }

  private async begin(): Promise<void> {
    await this.o.producer.begin();
    this.inTransaction = true;
  }

  private async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    const { batchSize, producer } = this.o;
    try {
      if (!this.inTransaction) await this.begin();
      for (let from = 0; from < messages.length; from += batchSize) {
        await producer.send(topic, from === 0 && messages.length <= batchSize ? messages : messages.slice(from, from + batchSize));
      }
    } catch (error) {
      throw this.fail(error);
    }
  }

  private fail(error: unknown): Error {
    const e = error instanceof Error ? error : new Error(String(error));
    this.broken ??= e;
    this.wake();
    return e;
  }

  private check(): void {
    if (this.broken) throw new Error(`exactly once: the transaction failed earlier and the job must restart from its last checkpoint: ${this.broken.message}`, { cause: this.broken });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}
