/**
 * A malformed message read by the `kafka` source reaches a dead-letter Kafka topic (the
 * pipeline's `dead_letter: { kafka: ... }`) with its text and provenance (partition
 * `<topic>:<partition>` and offset), and the job goes on with the records after it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob } from '../../core/runtime/engine/index.ts';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { fileSinkPlugin } from '../../plugins/sink-file/index.ts';
import { kafkaSink } from '../../plugins/sink-kafka/index.ts';
import { kafkaSource } from '../../plugins/source-kafka/index.ts';
import { compileYaml } from '../engine/fixtures.ts';
import { createTopic, cleanup, produce, readAll, unique, uniqueGroup } from './kafka-helpers.ts';

const topics: string[] = [];
after(() => cleanup(...topics));

void test('bad JSON from a topic is dead-lettered to a Kafka topic with topic, partition and offset; good records go on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-dlq-'));
  const input = unique('dlq-in');
  const deadTopic = unique('dlq');
  topics.push(input, deadTopic);
  await createTopic(input, 2);
  const good = (i: number) => JSON.stringify({ i, ts: 1_767_225_600_000 + i });
  await produce(input, [
    { partition: 1, value: good(0) },
    { partition: 1, value: good(1) },
    { partition: 1, value: '{"i":2,"ts":' },
    { partition: 1, value: good(3) },
    { partition: 0, value: good(4) },
    { partition: 0, value: 'not json at all' },
  ]);
  const pipeline = compileYaml(`
name: kafka_dlq_test
sources:
  in:
    kafka: { topic: ${input}, brokers: ["127.0.0.1:9092"], group_id: ${uniqueGroup()}, session_timeout: 10s }
    event_time: { field: ts, max_out_of_orderness: 1s }
sinks:
  out:
    input: in
    file: { path: ${join(dir, 'out.jsonl')} }
dead_letter:
  kafka: { brokers: ["127.0.0.1:9092"], topic: ${deadTopic}, key: "{provenance.partition}", create_topics: { partitions: 1 } }
`, [kafkaSource, kafkaSink, fileSinkPlugin]);
  const r = await runJob(pipeline, { maxEvents: 6, checkpoint: { store: new MemoryCheckpointStore(), interval: 0 } });
  assert.equal(r.status, 'stopped', r.error?.message);
  const out = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
  assert.deepEqual(out.sort(), [0, 1, 3, 4]);
  const dead = (await readAll(deadTopic)).map((m) => ({ key: m.key, row: JSON.parse(m.value) as Record<string, unknown> }));
  dead.sort((a, b) => String(a.key).localeCompare(String(b.key)));
  assert.equal(dead.length, 2);
  assert.deepEqual(dead.map((d) => d.key), [`${input}:0`, `${input}:1`]);
  assert.deepEqual(dead.map((d) => [d.row.operator, d.row.reason, d.row.record, d.row.provenance]), [
    ['in', 'bad_json', 'not json at all', { source: 'in', partition: `${input}:0`, offset: 1 }],
    ['in', 'bad_json', '{"i":2,"ts":', { source: 'in', partition: `${input}:1`, offset: 2 }],
  ]);
  assert.match(String(dead[0]!.row.error), /not valid JSON/);
});
