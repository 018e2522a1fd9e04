import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import './kafkajs.ts';
import { filterAbortedMessages } from './read-committed.ts';

const record = (offset: number, producerId: string, inTransaction = true) => ({ offset: String(offset), key: Buffer.from('k'), isControlRecord: false, batchContext: { producerId, inTransaction } });
const abortMarker = (offset: number, producerId: string) => ({ offset: String(offset), key: Buffer.from([0, 0, 0, 0]), isControlRecord: true, batchContext: { producerId, inTransaction: true } });
const offsets = (ms: readonly { offset: string; batchContext: { producerId: string } }[]) => ms.map((m) => `${m.offset}${m.batchContext.producerId}`);

void test('a fetch that starts inside aborted transactions of two producers drops both producers\' records, and only until each one\'s abort marker', () => {
  // A's and B's transactions began before the fetch (offsets 0 and 1) and were aborted; C commits.
  const messages = [record(2, 'B'), record(3, 'A'), record(4, 'C'), abortMarker(5, 'B'), record(6, 'B'), record(7, 'A'), abortMarker(8, 'A'), record(9, 'A'), record(10, 'D', false)];
  const kept = filterAbortedMessages({ messages, abortedTransactions: [{ producerId: 'A', firstOffset: '0' }, { producerId: 'B', firstOffset: '1' }] });
  assert.deepEqual(offsets(kept), ['4C', '5B', '6B', '8A', '9A', '10D']);
  // kafkajs' own filter let B's record at 2 through (one aborted transaction started per record).
  const kafkajsOriginal = createRequire(import.meta.url)('kafkajs/src/consumer/filterAbortedMessages.js') as unknown;
  assert.equal(kafkajsOriginal, filterAbortedMessages, 'the fix is what kafkajs requires');
});

void test('kafkajs\' fetched batches use the fixed filter', () => {
  const Batch = createRequire(import.meta.url)('kafkajs/src/consumer/batch.js') as new (topic: string, fetchedOffset: string, data: unknown) => { messages: { offset: string }[] };
  const batch = new Batch('t', '2', { partition: 0, highWatermark: '11', abortedTransactions: [{ producerId: 'A', firstOffset: '0' }, { producerId: 'B', firstOffset: '1' }], messages: [record(2, 'B'), record(3, 'A'), record(4, 'C')] });
  assert.deepEqual(batch.messages.map((m) => m.offset), ['4']);
});
