/**
 * Kafka transactions in the in-memory fake (unit tests only): per transactional id an
 * epoch; `init` bumps it (fencing older producers) and aborts the transaction left open.
 * Records and offsets of a transaction become visible (`FakeKafka.sends`,
 * `FakeKafka.committed`) at its commit, all together, and never after an abort.
 */
import { KafkaClientError } from './client.ts';
import type { OutgoingMessage, TopicPartitionOffset, TransactionalProducer, TransactionalProducerOptions } from './client.ts';
import type { FakeKafka } from './fake-client.ts';

interface OpenTransaction {
  readonly sends: { topic: string; messages: readonly OutgoingMessage[] }[];
  readonly offsets: { groupId: string; offsets: readonly TopicPartitionOffset[] }[];
}

export interface FinishedTransaction extends OpenTransaction {
  readonly transactionalId: string;
  readonly outcome: 'committed' | 'aborted';
}

export class FakeTransactions {
  readonly options: TransactionalProducerOptions[] = [];
  /** Every transaction that ended, in order. */
  readonly finished: FinishedTransaction[] = [];
  private readonly epochs = new Map<string, number>();
  private readonly pending = new Map<string, OpenTransaction>();
  /** Thrown by the next transactional commit (then cleared). */
  failNextCommit: Error | undefined;

  constructor(private readonly kafka: FakeKafka) {}

  /** The transaction open for an id, if any (what a crash would leave behind). */
  open(transactionalId: string): OpenTransaction | undefined {
    return this.pending.get(transactionalId);
  }

  producer(options: TransactionalProducerOptions): TransactionalProducer {
    this.options.push(options);
    const id = options.transactionalId;
    let epoch = -1;
    const fenced = () => new KafkaClientError(`producer '${id}' was fenced by a newer one`, { retriable: false, kafkaCode: 'INVALID_PRODUCER_EPOCH' });
    const current = (): OpenTransaction => {
      if (epoch !== this.epochs.get(id)) throw fenced();
      const t = this.pending.get(id);
      if (!t) throw new Error('no open transaction');
      return t;
    };
    const end = (outcome: FinishedTransaction['outcome']) => {
      const t = current();
      this.pending.delete(id);
      this.finish(id, t, outcome);
    };
    const run = (fn: () => void): Promise<void> => {
      try {
        fn();
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error as Error);
      }
    };
    return {
      connect: () => Promise.resolve(),
      init: () =>
        run(() => {
          const left = this.pending.get(id);
          if (left) {
            this.pending.delete(id);
            this.finish(id, left, 'aborted');
          }
          epoch = (this.epochs.get(id) ?? -1) + 1;
          this.epochs.set(id, epoch);
        }),
      begin: () =>
        run(() => {
          if (epoch !== this.epochs.get(id)) throw fenced();
          if (this.pending.has(id)) throw new Error('a transaction is already open');
          this.pending.set(id, { sends: [], offsets: [] });
        }),
      send: (topic, messages) =>
        run(() => {
          const e = this.kafka.failNextSend;
          this.kafka.failNextSend = undefined;
          if (e) throw e;
          current().sends.push({ topic, messages: [...messages] });
        }),
      sendOffsets: (groupId, offsets) => run(() => void current().offsets.push({ groupId, offsets: [...offsets] })),
      commit: () =>
        run(() => {
          const e = this.failNextCommit;
          this.failNextCommit = undefined;
          if (e) throw e;
          end('committed');
        }),
      abort: () => run(() => end('aborted')),
      close: () => Promise.resolve(),
    };
  }

  private finish(transactionalId: string, t: OpenTransaction, outcome: FinishedTransaction['outcome']): void {
    this.finished.push({ transactionalId, outcome, ...t });
    if (outcome !== 'committed') return;
    this.kafka.sends.push(...t.sends);
    for (const o of t.offsets) this.kafka.commitOffsets(o.groupId, o.offsets);
  }
}
