/**
 * A fix of kafkajs 2.2.4's read_committed filter, installed before kafkajs loads (import
 * `./kafkajs.ts`, never 'kafkajs', for values in this folder).
 *
 * A fetch response lists the aborted transactions that overlap it (producer id, first
 * offset); a consumer drops a producer's transactional records from the first offset of
 * one of its aborted transactions to that transaction's abort marker. kafkajs'
 * `filterAbortedMessages` starts at most one aborted transaction per record (an `if` where
 * Kafka's Java consumer has a `while`), so when a fetch starts inside several aborted
 * transactions of different producers — what a repartition topic written by several task
 * producers has after a kill -9 or a fence — the records of all but one pass as committed:
 * an aborted record then counts next to its replay (the flagship's kill -9 runs counted up to
 * 15 triggered users too many per row). This is kafkajs' function with the `while`.
 */
import { createRequire, Module } from 'node:module';

interface Message {
  readonly offset: string;
  readonly key?: Buffer | null;
  readonly isControlRecord?: boolean;
  readonly batchContext: { readonly producerId: string; readonly inTransaction: boolean };
}
interface AbortedTransaction {
  readonly producerId: string;
  readonly firstOffset: string;
}

/** A control record's key: version 0, type 0 (ABORT). */
const ABORT_KEY = Buffer.from([0, 0, 0, 0]);
const isAbortMarker = (m: Message) => m.isControlRecord === true && m.key != null && Buffer.from(m.key).equals(ABORT_KEY);

/** The records of `messages` (offset order) that are not part of an aborted transaction. */
export function filterAbortedMessages<M extends Message>({ messages, abortedTransactions }: { messages: readonly M[]; abortedTransactions?: readonly AbortedTransaction[] }): M[] {
  if (!abortedTransactions?.length) return [...messages];
  const pending = [...abortedTransactions].sort((a, b) => (BigInt(a.firstOffset) < BigInt(b.firstOffset) ? -1 : 1));
  const aborted = new Set<string>();
  return messages.filter((m) => {
    const offset = BigInt(m.offset);
    // Every aborted transaction begun at or before this record is open from here on.
    while (pending.length && offset >= BigInt(pending[0]!.firstOffset)) aborted.add(pending.shift()!.producerId);
    const { producerId, inTransaction } = m.batchContext;
    if (isAbortMarker(m)) {
      aborted.delete(producerId);
      return true;
    }
    return !(inTransaction && aborted.has(producerId));
  });
}

const require = createRequire(import.meta.url);
const path = require.resolve('kafkajs/src/consumer/filterAbortedMessages.js');
const batchPath = require.resolve('kafkajs/src/consumer/batch.js');
if (require.cache[batchPath]) {
  process.emitWarning('kafkajs was loaded before lib/kafka-client/read-committed.ts: its read_committed filter can let aborted records through', 'SluiceWarning');
} else if (!require.cache[path]) {
  const m = new Module(path);
  m.filename = path;
  m.loaded = true;
  m.exports = filterAbortedMessages;
  require.cache[path] = m;
}
