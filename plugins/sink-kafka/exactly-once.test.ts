import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder } from '../../core/api/index.ts';
import type { GroupOffsets, Logger } from '../../core/api/index.ts';
import { getCodec } from '../../core/runtime/codec/index.ts';
import { FakeKafka } from '../../lib/kafka-client/fake-client.ts';
import { kafkaSinkWriter } from './fence.ts';
import { KafkaSink } from './kafka-sink.ts';
import { checkKafkaSink } from './spec.ts';
import { compileTemplate } from './template.ts';
import type { KafkaSinkConfig } from './spec.ts';

const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger };

function config(over: Partial<KafkaSinkConfig> = {}): KafkaSinkConfig {
  return {
    brokers: ['127.0.0.1:9092'], topic: 'out', acks: 'all', idempotent: true, compression: 'none', batch_size: 10_000,
    ack_timeout: 30_000, change_field: 'op', connection_timeout: 10_000, request_timeout: 30_000,
    exactly_once: true, transaction_timeout: 120_000, max_held_bytes: 16_777_216, key: '{k}', ...over,
  };
}

async function make(kafka: FakeKafka, over: Partial<KafkaSinkConfig> = {}) {
  const sink = new KafkaSink({
    id: 'out', config: config(over), client: kafka, codec: getCodec('json'), encodeOptions: {}, logger, key: compileTemplate('{k}', 'key'), headers: [], transactionalId: 'sluice.j.out',
  });
  await sink.open(undefined);
  return sink;
}

function rows(...ks: string[]) {
  const b = new BatchBuilder();
  for (const k of ks) b.push({ k }, 1);
  return b.take();
}

const offsets = (offset: number): GroupOffsets[] => [{ groupId: 'g', offsets: [{ topic: 'in', partition: 0, offset }] }];
const visible = (kafka: FakeKafka) => kafka.sends.flatMap((s) => s.messages.map((m) => m.key));

void test('exactly once: output is visible only when the checkpoint after it completes, together with the offsets; later output waits for the next one', async () => {
  const kafka = new FakeKafka();
  const sink = await make(kafka);
  assert.deepEqual(kafka.transactions.options.map((o) => [o.transactionalId, o.transactionTimeoutMs]), [['sluice.j.out', 120_000]]);
  await sink.write(rows('a', 'b'));
  assert.deepEqual(visible(kafka), [], 'nothing visible before the checkpoint');
  const position = await sink.checkpoint();
  await sink.write(rows('c')); // after the barrier: held, not in the transaction being committed
  assert.deepEqual(kafka.transactions.open('sluice.j.out')?.sends.flatMap((s) => s.messages.map((m) => m.key)), ['a', 'b']);
  await sink.onCheckpointComplete(position, { id: 1, sourceOffsets: offsets(7) });
  assert.deepEqual(visible(kafka), ['a', 'b']);
  assert.equal(kafka.committed.get('g')?.get('in:0'), 7, 'offsets committed in the same transaction');
  await new Promise((resolve) => setImmediate(resolve)); // the held writes go out in the background
  assert.deepEqual(kafka.transactions.open('sluice.j.out')?.sends.flatMap((s) => s.messages.map((m) => m.key)), ['c'], 'the held write opened the next transaction');
  await sink.close();
  assert.deepEqual(kafka.transactions.finished.map((t) => t.outcome), ['committed', 'aborted'], 'close aborts what no checkpoint covers');
  assert.deepEqual(visible(kafka), ['a', 'b']);
});

void test('a declined checkpoint folds its output into the next transaction; a checkpoint without output still commits the offsets', async () => {
  const kafka = new FakeKafka();
  const sink = await make(kafka);
  await sink.write(rows('a'));
  await sink.checkpoint();
  await sink.write(rows('b'));
  await sink.onCheckpointAborted();
  await sink.write(rows('c'));
  const p2 = await sink.checkpoint();
  await sink.onCheckpointComplete(p2, { id: 2, sourceOffsets: offsets(3) });
  assert.deepEqual(visible(kafka), ['a', 'b', 'c']);
  assert.equal(kafka.transactions.finished.length, 1);
  const p3 = await sink.checkpoint();
  await sink.onCheckpointComplete(p3, { id: 3, sourceOffsets: offsets(5) });
  assert.equal(kafka.committed.get('g')?.get('in:0'), 5);
  // Each transaction commits the sources' offsets and the checkpoint marker (checkpoint-marker.ts).
  assert.deepEqual(kafka.transactions.finished.map((t) => [t.outcome, t.sends.length, t.offsets.map((o) => o.groupId)]), [['committed', 3, ['g', 'sluice.j.out.checkpoint']], ['committed', 0, ['g', 'sluice.j.out.checkpoint']]]);
  assert.equal(kafka.committed.get('sluice.j.out.checkpoint')?.get('out:0'), 3);
  // A checkpoint reported without its seal having been taken first is refused.
  await assert.rejects(sink.onCheckpointComplete({ seal: 99 }, { id: 4, sourceOffsets: [] }), /seal 99/);
  await sink.close();
});

void test('a seal whose checkpoint never reported (its checkpoint() ran after the attempt timed out) folds into the next seal', async () => {
  const kafka = new FakeKafka();
  const sink = await make(kafka);
  await sink.write(rows('a'));
  await sink.checkpoint(); // never completes nor aborts
  await sink.write(rows('b'));
  const p = await sink.checkpoint();
  await sink.write(rows('c'));
  await sink.onCheckpointComplete(p, { id: 2, sourceOffsets: offsets(2) });
  assert.deepEqual(visible(kafka), ['a', 'b']);
  await sink.close();
});

void test('held output past max_held_bytes back-pressures the writer until the checkpoint commits', async () => {
  const kafka = new FakeKafka();
  const sink = await make(kafka, { max_held_bytes: 1024 });
  const p = await sink.checkpoint();
  let done = false;
  const big = Array.from({ length: 100 }, (_, i) => `k${i}`);
  const writing = sink.write(rows(...big)).then(() => (done = true));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(done, false, 'the write waits');
  await sink.onCheckpointComplete(p, { id: 1, sourceOffsets: [] });
  await writing;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(kafka.transactions.open('sluice.j.out')?.sends[0]?.messages.length, 100);
  await sink.close();
});

void test('a restart fences the previous incarnation: its open transaction is aborted and its later calls fail', async () => {
  const kafka = new FakeKafka();
  const old = await make(kafka);
  await old.write(rows('lost'));
  const writer = kafkaSinkWriter({ id: 'out', job: 'j', config: config(), logger }, kafka)!;
  await writer.fence();
  assert.deepEqual(kafka.transactions.finished.map((t) => [t.outcome, t.sends.length]), [['aborted', 1]]);
  await assert.rejects(old.write(rows('zombie')), /INVALID_PRODUCER_EPOCH|fenced/);
  await assert.rejects(old.write(rows('again')), /failed earlier/);
  assert.deepEqual(visible(kafka), []);
  assert.equal(kafkaSinkWriter({ id: 'out', job: 'j', config: config({ exactly_once: false }), logger }, kafka), undefined);
});

void test('config: exactly once needs the idempotent producer with acks all', () => {
  assert.deepEqual(checkKafkaSink(config()), []);
  assert.match(checkKafkaSink(config({ idempotent: false, acks: 'leader' }))[0]!.message, /exactly once needs/);
});

void test('exactly once with tasks: one transactional id per task, so tasks do not fence each other', async () => {
  const kafka = new FakeKafka();
  for (const index of [0, 1]) await kafkaSinkWriter({ id: 'out', job: 'j', config: config(), logger, task: { id: `task-${index}`, index, count: 2 } }, kafka)!.fence();
  await kafkaSinkWriter({ id: 'out', job: 'j', config: config(), logger }, kafka)!.fence();
  assert.deepEqual(kafka.transactions.options.map((o) => o.transactionalId), ['sluice.j.out.task-0', 'sluice.j.out.task-1', 'sluice.j.out']);
});
