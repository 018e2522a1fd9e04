import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder } from '../../core/api/index.ts';
import type { Logger } from '../../core/api/index.ts';
import { getCodec } from '../../core/runtime/codec/index.ts';
import { decodeControl } from '../../lib/kafka-client/control-record.ts';
import { FakeKafka } from '../../lib/kafka-client/fake-client.ts';
import { KeyPartitioner } from '../../lib/kafka-client/key-partitioner.ts';
import { unpack } from '../../lib/kafka-client/packed-records.ts';
import { keyText, RepartitionOutput } from './repartition-output.ts';
import type { KafkaSinkConfig } from './spec.ts';

const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger };
const config: KafkaSinkConfig = {
  brokers: ['127.0.0.1:9092'], topic: 'sluice.j.r.repartition', acks: 'all', idempotent: true, compression: 'none', batch_size: 10_000,
  ack_timeout: 30_000, change_field: 'op', connection_timeout: 10_000, request_timeout: 30_000,
  exactly_once: true, transaction_timeout: 120_000, max_held_bytes: 16_777_216,
};

void test('records go out packed, to the partition of their repartition key, with their event time; watermarks go to every partition, in the checkpoint\'s transaction', async () => {
  const kafka = new FakeKafka();
  let now = 0;
  const out = new RepartitionOutput({ config, client: kafka, codec: getCodec('json'), transactionalId: 'sluice.j.repartition.task-1', leader: true, key: ['exp'], partitions: 3, task: 1, logger, now: () => now });
  await out.open(undefined);
  const b = new BatchBuilder();
  b.push({ exp: 'e1', n: 1 }, 1000);
  b.push({ exp: 7, n: 2 }, 2000);
  await out.write(b.take());
  await out.onWatermark(1500);
  now = 500;
  await out.onWatermark(1600); // throttled: less than a second since the last
  assert.equal(kafka.sends.length, 0, 'nothing visible before the checkpoint commits');
  const position = await out.checkpoint();
  await out.onCheckpointComplete(position, { id: 1, sourceOffsets: [{ groupId: 'g', offsets: [{ topic: 'in', partition: 1, offset: 2 }] }] });
  const messages = kafka.sends.flatMap((s) => s.messages);
  const partitions = new KeyPartitioner(3);
  const data = messages.filter((m) => !decodeControl(m.value));
  // One packed message per partition the batch's keys reach, each record with its event time.
  const expected = new Map<number, { times: number[]; payloads: string[] }>();
  for (const [key, payload, time] of [['e1', '{"exp":"e1","n":1}', 1000], ['7', '{"exp":7,"n":2}', 2000]] as const) {
    const e = expected.get(partitions.partitionOf(key)) ?? { times: [], payloads: [] };
    e.times.push(time);
    e.payloads.push(payload);
    expected.set(partitions.partitionOf(key), e);
  }
  assert.deepEqual(new Map(data.map((m) => [m.partition!, unpack(m.value as string, -1)!])), expected);
  assert.ok(data.every((m) => m.key === null && m.timestamp === Math.max(...expected.get(m.partition!)!.times)));
  const controls = messages.slice(data.length).map((m) => [m.partition, decodeControl(m.value)]);
  assert.deepEqual(controls, [0, 1, 2, 0, 1, 2].map((p, i) => [p, { task: 1, watermark: i < 3 ? 1500 : 1600 }]));
  assert.deepEqual(kafka.committed.get('g'), new Map([['in:1', 2]]));
  // End of input crosses at once.
  await out.onWatermark(Number.POSITIVE_INFINITY);
  await out.onCheckpointComplete(await out.checkpoint(), { id: 2, sourceOffsets: [] });
  assert.deepEqual(kafka.sends.flatMap((s) => s.messages).slice(data.length + 6).map((m) => decodeControl(m.value)!.watermark), [Infinity, Infinity, Infinity]);
  await out.close();
});

void test('key text: one field as text, several as a JSON array', () => {
  assert.equal(keyText({ a: 'x' }, [['a']]), 'x');
  assert.equal(keyText({ a: { b: 2 } }, [['a', 'b']]), '2');
  assert.equal(keyText({ a: 'x', b: 1 }, [['a'], ['b']]), '["x",1]');
});

void test('two repartition outputs of one stage task share one transaction; the leader commits it', async () => {
  const kafka = new FakeKafka();
  const make = (topic: string, leader: boolean) =>
    new RepartitionOutput({ config: { ...config, topic }, client: kafka, codec: getCodec('json'), transactionalId: 'sluice.j.repartition.task-0', leader, key: ['k'], partitions: 2, task: 0, logger });
  const [left, right] = [make('left', true), make('right', false)];
  await Promise.all([left.open(undefined), right.open(undefined)]);
  const batch = (k: string) => {
    const b = new BatchBuilder();
    b.push({ k }, 10);
    return b.take();
  };
  await Promise.all([left.write(batch('a')), right.write(batch('b'))]);
  const [, seal] = await Promise.all([right.checkpoint(), left.checkpoint()]);
  await right.onCheckpointComplete(undefined, { id: 1, sourceOffsets: [] });
  assert.equal(kafka.sends.length, 0, 'a follower commits nothing');
  await left.onCheckpointComplete(seal, { id: 1, sourceOffsets: [] });
  assert.deepEqual(kafka.transactions.finished.map((f) => [f.transactionalId, f.outcome, f.sends.map((s) => s.topic).sort()]), [['sluice.j.repartition.task-0', 'committed', ['left', 'right']]]);
  assert.equal(kafka.transactions.options.length, 1, 'one producer for the stage task');
  await left.close();
  await right.close();
});

void test('at a savepoint the leader writes every output\'s marker, to every partition, into the savepoint\'s transaction', async () => {
  const kafka = new FakeKafka();
  const make = (topic: string, leader: boolean) =>
    new RepartitionOutput({ config: { ...config, topic }, client: kafka, codec: getCodec('json'), transactionalId: 'sluice.j.repartition.task-1', leader, key: ['k'], partitions: 2, task: 1, logger });
  const [left, right] = [make('left', true), make('right', false)];
  await Promise.all([left.open(undefined), right.open(undefined)]);
  await left.onWatermark(40);
  const [, seal] = await Promise.all([right.checkpoint({ savepoint: 'sp-x' }), left.checkpoint({ savepoint: 'sp-x' })]);
  await left.onCheckpointComplete(seal, { id: 3, sourceOffsets: [] });
  const [done] = kafka.transactions.finished;
  assert.equal(done?.outcome, 'committed');
  const marks = done!.sends.flatMap((s) => s.messages.map((m) => [s.topic, m.partition, decodeControl(m.value)])).filter((m) => (m[2] as { savepoint?: string } | undefined)?.savepoint);
  assert.deepEqual(marks.sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1])), [
    ['left', 0, { task: 1, watermark: 40, savepoint: 'sp-x' }],
    ['left', 1, { task: 1, watermark: 40, savepoint: 'sp-x' }],
    // The follower has had no watermark yet: its marker says −∞.
    ['right', 0, { task: 1, watermark: Number.NEGATIVE_INFINITY, savepoint: 'sp-x' }],
    ['right', 1, { task: 1, watermark: Number.NEGATIVE_INFINITY, savepoint: 'sp-x' }],
  ]);
  await left.close();
  await right.close();
});

void test('records an output writes after it reached the barrier go into the next transaction, even when the leader seals later', async () => {
  const kafka = new FakeKafka();
  const make = (topic: string, leader: boolean) =>
    new RepartitionOutput({ config: { ...config, topic }, client: kafka, codec: getCodec('json'), transactionalId: 'sluice.j.repartition.task-2', leader, key: ['k'], partitions: 2, task: 2, logger });
  const [left, right] = [make('left', true), make('right', false)];
  await Promise.all([left.open(undefined), right.open(undefined)]);
  const batch = (k: string) => {
    const b = new BatchBuilder();
    b.push({ k }, 10);
    return b.take();
  };
  await right.write(batch('before'));
  // Unaligned, the job goes on once every sink's position is asked for: the follower reaches
  // the barrier (a sink's next write is behind its checkpoint) and writes on while the leader
  // has not sealed yet.
  await right.checkpoint();
  const after = right.write(batch('after'));
  const seal = await left.checkpoint();
  await after;
  await left.onCheckpointComplete(seal, { id: 1, sourceOffsets: [] });
  const [, seal2] = await Promise.all([right.checkpoint(), left.checkpoint()]);
  await left.onCheckpointComplete(seal2, { id: 2, sourceOffsets: [] });
  const keys = (i: number) => kafka.transactions.finished[i]!.sends.flatMap((s) => s.messages).flatMap((m) => unpack(m.value as string, -1)?.payloads ?? []).map((p) => (JSON.parse(p) as { k: string }).k);
  assert.deepEqual(kafka.transactions.finished.map((f) => f.outcome), ['committed', 'committed']);
  assert.deepEqual(keys(0), ['before'], 'the first checkpoint\'s transaction holds what was written before the barrier only');
  assert.deepEqual(keys(1), ['after']);
  await left.close();
  await right.close();
});

void test('a declined checkpoint lets the writes held after the cut join the open transaction', async () => {
  const kafka = new FakeKafka();
  const make = (topic: string, leader: boolean) =>
    new RepartitionOutput({ config: { ...config, topic }, client: kafka, codec: getCodec('json'), transactionalId: 'sluice.j.repartition.task-3', leader, key: ['k'], partitions: 2, task: 3, logger });
  const [left, right] = [make('left', true), make('right', false)];
  await Promise.all([left.open(undefined), right.open(undefined)]);
  const b = new BatchBuilder();
  b.push({ k: 'x' }, 10);
  await right.checkpoint();
  const held = right.write(b.take());
  // The attempt is declined before the leader reached the barrier.
  await left.onCheckpointAborted();
  await right.onCheckpointAborted();
  await held;
  await assert.rejects(left.checkpoint(), /declined/);
  const [, seal] = await Promise.all([right.checkpoint(), left.checkpoint()]);
  await left.onCheckpointComplete(seal, { id: 2, sourceOffsets: [] });
  assert.deepEqual(kafka.transactions.finished.map((f) => f.outcome), ['committed']);
  assert.equal(kafka.transactions.finished[0]!.sends.flatMap((s) => s.messages).filter((m) => unpack(m.value as string, -1)).length, 1);
  await left.close();
  await right.close();
});
