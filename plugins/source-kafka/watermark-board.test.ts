import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskWatermarks } from '../../core/api/index.ts';
import { FakeKafka } from '../../lib/kafka-client/fake-client.ts';
import { KafkaWatermarkBoard, decodeEntry, encodeEntry, watermarkTopic } from './watermark-board.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } };

void test('an entry survives the topic: numbers, idle (null) and −∞', () => {
  const e: TaskWatermarks = { task: 'task-3', process: 'p1', groups: { default: 1_767_225_600_000, slow: null, other: Number.NEGATIVE_INFINITY } };
  assert.deepEqual(decodeEntry(new TextEncoder().encode(encodeEntry(e))), e);
  assert.equal(decodeEntry('not json'), undefined);
  assert.equal(decodeEntry('{"task":"t","process":"p","groups":{"g":"soon"}}'), undefined);
  assert.equal(decodeEntry('null'), undefined);
});

void test('the board: a compacted topic of one partition, keyed by task, read whole from the beginning by a group of its own', async () => {
  const kafka = new FakeKafka();
  const board = new KafkaWatermarkBoard({ client: kafka, job: 'j', logger: silent });
  assert.equal(watermarkTopic('j'), 'sluice.j.watermarks');
  kafka.createTopic('sluice.j.watermarks', 1);
  kafka.append('sluice.j.watermarks', 0, [encodeEntry({ task: 'task-0', process: 'old', groups: { default: 5 } }), 'garbage']);
  const read: TaskWatermarks[] = [];
  await board.open((entries) => read.push(...entries));
  const consumer = kafka.consumers.at(-1)!;
  assert.equal(consumer.options.fromBeginning, true);
  assert.deepEqual(consumer.options.partitions, [0]);
  assert.match(consumer.options.groupId, /^sluice\.j\.watermarks\.[0-9a-f-]{36}$/);
  consumer.deliver();
  assert.deepEqual(read, [{ task: 'task-0', process: 'old', groups: { default: 5 } }], 'a message that is no entry is skipped');

  await board.publish([{ task: 'task-1', process: 'me', groups: { default: Number.NEGATIVE_INFINITY } }]);
  const sent = kafka.sends.at(-1)!;
  assert.equal(sent.topic, 'sluice.j.watermarks');
  assert.deepEqual(sent.messages.map((m) => [m.key, m.value]), [['task-1', '{"task":"task-1","process":"me","groups":{"default":"-inf"}}']]);
  await board.close();
  assert.equal(consumer.closed, true);
});
