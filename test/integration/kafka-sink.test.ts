/**
 * The `kafka` sink against the real broker, through `runJob`: keys from a template pick
 * the partition, headers from templates, and a record whose key cannot be rendered is
 * dead-lettered while the others are written. Read back with a plain kafkajs consumer.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob } from '../../core/runtime/engine/index.ts';
import { fileSinkPlugin } from '../../plugins/sink-file/index.ts';
import { fileSourcePlugin } from '../../plugins/source-file/index.ts';
import { kafkaSink } from '../../plugins/sink-kafka/index.ts';
import { compileYaml } from '../engine/fixtures.ts';
import { cleanup, readAll, unique } from './kafka-helpers.ts';

const topics: string[] = [];
after(() => cleanup(...topics));

void test('records go out keyed by user_id with template headers; same key, same partition; a key-less record is dead-lettered', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-sink-'));
  const topic = unique('sink');
  topics.push(topic);
  const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ user_id: `u${i % 13}`, experiment_id: `e${i % 3}`, i, ts: 1_767_225_600_000 + i }));
  lines.splice(150, 0, JSON.stringify({ experiment_id: 'e0', i: -1, ts: 1_767_225_600_000 }));
  writeFileSync(join(dir, 'in.jsonl'), lines.join('\n') + '\n');
  const pipeline = compileYaml(`
name: kafka_sink_test
sources:
  in:
    file: { path: ${join(dir, 'in.jsonl')} }
    event_time: { field: ts, max_out_of_orderness: 1s }
sinks:
  out:
    input: in
    kafka:
      brokers: ["127.0.0.1:9092"]
      topic: ${topic}
      key: "{user_id}"
      headers: { experiment: "{experiment_id}", pair: "{user_id + '/' + experiment_id}", origin: sluice }
      create_topics: { partitions: 4 }
      batch_size: 64
dead_letter: { file: { path: ${join(dir, 'dead.jsonl')} } }
`, [fileSourcePlugin, kafkaSink, fileSinkPlugin]);
  const r = await runJob(pipeline, { checkpoint: { store: null } });
  assert.equal(r.status, 'finished', r.error?.message);
  const messages = await readAll(topic);
  assert.equal(messages.length, 300);
  assert.deepEqual(new Set(messages.map((m) => m.partition)).size > 1, true, 'keys spread over partitions');
  const partitionOfKey = new Map<string, number>();
  for (const m of messages) {
    const row = JSON.parse(m.value) as { user_id: string; experiment_id: string; i: number };
    assert.equal(m.key, row.user_id);
    assert.deepEqual(m.headers, { experiment: row.experiment_id, pair: `${row.user_id}/${row.experiment_id}`, origin: 'sluice' });
    if (!partitionOfKey.has(m.key)) partitionOfKey.set(m.key, m.partition);
    assert.equal(partitionOfKey.get(m.key), m.partition, `key ${m.key} stays in one partition`);
  }
  // Per key, the order written is the order read.
  for (const key of partitionOfKey.keys()) {
    const is = messages.filter((m) => m.key === key).map((m) => (JSON.parse(m.value) as { i: number }).i);
    assert.deepEqual(is, [...is].sort((a, b) => a - b));
  }
  const dead = readFileSync(join(dir, 'dead.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(dead.length, 1);
  assert.equal(dead[0]!.reason, 'key_error');
  assert.deepEqual((dead[0]!.record as { i: number }).i, -1);
});
