/**
 * The `kafka` source against the real broker: end to end through `runJob` into a file
 * sink with exact counts, offsets committed only when a checkpoint completes, and a
 * restore that seeks to the checkpoint (not to the group's committed offsets).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob } from '../../core/runtime/engine/index.ts';
import type { RunningJob } from '../../core/runtime/engine/index.ts';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { fileSinkPlugin } from '../../plugins/sink-file/index.ts';
import { kafkaSource } from '../../plugins/source-kafka/index.ts';
import { compileYaml } from '../engine/fixtures.ts';
import { committed, createTopic, cleanup, endOffsets, produce, unique, uniqueGroup, until, withAdmin } from './kafka-helpers.ts';

const topics: string[] = [];
after(() => cleanup(...topics));

const dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-source-'));

async function topicWith(partitions: number, perPartition: number): Promise<string> {
  const topic = unique('src');
  topics.push(topic);
  await createTopic(topic, partitions);
  for (let p = 0; p < partitions; p++) {
    await produce(topic, Array.from({ length: perPartition }, (_, i) => ({ partition: p, key: `k${i % 7}`, value: JSON.stringify({ p, i, ts: 1_767_225_600_000 + i * 1000 }) })));
  }
  return topic;
}

const pipeline = (topic: string, group: string, out: string) => `
name: kafka_source_test
sources:
  in:
    kafka: { topic: ${topic}, brokers: ["127.0.0.1:9092"], group_id: ${group}, session_timeout: 10s }
    event_time: { field: ts, max_out_of_orderness: 1s }
sinks:
  out:
    input: in
    file: { path: ${out} }
`;

const readRows = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { p: number; i: number; _meta: Record<string, unknown> });

void test('3 partitions end to end into a file: every record once, in offset order per partition, with _meta', async () => {
  const topic = await topicWith(3, 200);
  const out = join(dir, 'e2e.jsonl');
  const r = await runJob(compileYaml(pipeline(topic, uniqueGroup(), out), [kafkaSource, fileSinkPlugin]), { maxEvents: 600, checkpoint: { store: new MemoryCheckpointStore(), interval: 0 } });
  assert.equal(r.status, 'stopped', r.error?.message);
  const rows = readRows(out);
  assert.equal(rows.length, 600);
  for (const p of [0, 1, 2]) assert.deepEqual(rows.filter((x) => x.p === p).map((x) => x.i), Array.from({ length: 200 }, (_, i) => i));
  const first = rows.find((x) => x.p === 1 && x.i === 3)!;
  assert.deepEqual({ ...first._meta, timestamp: typeof first._meta.timestamp }, { key: 'k3', headers: {}, topic, partition: 1, offset: 3, timestamp: 'number' });
});

void test('offsets are committed to the group only when a checkpoint completes', async () => {
  const topic = await topicWith(3, 50);
  const group = uniqueGroup();
  const stop = new AbortController();
  let job: RunningJob | undefined;
  const running = runJob(compileYaml(pipeline(topic, group, join(dir, 'commit.jsonl')), [kafkaSource, fileSinkPlugin]), {
    checkpoint: { store: new MemoryCheckpointStore(), interval: 0 },
    signal: stop.signal,
    onStart: (j) => (job = j),
  });
  try {
    await until(() => (job?.stageCounts().in?.in ?? 0) >= 150, 'the job to read 150 records');
    assert.deepEqual(await committed(group, topic), { 0: -1, 1: -1, 2: -1 }, 'nothing committed before a checkpoint');
    assert.equal(await job!.triggerCheckpoint(), true);
    await until(async () => Object.values(await committed(group, topic)).every((o) => o === 50), 'the commit after the checkpoint');
    await produce(topic, [{ partition: 0, value: '{"p":0,"i":50,"ts":1767225700000}' }]);
    await until(() => (job?.stageCounts().in?.in ?? 0) >= 151, 'the job to read the new record');
    assert.deepEqual(await committed(group, topic), { 0: 50, 1: 50, 2: 50 }, 'a record read after the checkpoint is not committed');
  } finally {
    stop.abort();
    const r = await running;
    assert.equal(r.status, 'stopped', r.error?.message);
  }
  assert.deepEqual(await committed(group, topic), { 0: 51, 1: 50, 2: 50 }, 'the shutdown checkpoint commits the rest');
});

void test('a restore seeks to the checkpointed offsets, whatever the group has committed since', async () => {
  const topic = await topicWith(3, 100);
  const group = uniqueGroup();
  const out = join(dir, 'restore.jsonl');
  const store = new MemoryCheckpointStore();
  const compiled = () => compileYaml(pipeline(topic, group, out), [kafkaSource, fileSinkPlugin]);
  const first = await runJob(compiled(), { maxEvents: 120, checkpoint: { store, interval: 0 } });
  assert.equal(first.status, 'stopped', first.error?.message);
  const position = (await store.latest())!.sources.in as Record<string, number>;
  assert.ok(Object.values(position).reduce((a, b) => a + b, 0) >= 120);
  // Someone moves the group to the end: the checkpoint, not the group, says where to resume.
  const ends = await endOffsets(topic);
  const checkpointed = Object.keys(position).map((name) => Number(name.split(':')[1]));
  assert.ok(checkpointed.some((p) => position[`${topic}:${p}`]! < 100), 'the checkpoint stands before the end of some partition');
  await withAdmin((a) => a.setOffsets({ groupId: group, topic, partitions: checkpointed.map((p) => ({ partition: p, offset: String(ends[p]) })) }));
  // maxEvents counts the whole run: the 120 the checkpoint read and 180 more.
  const second = await runJob(compiled(), { maxEvents: 300, checkpoint: { store, interval: 0 } });
  assert.equal(second.status, 'stopped', second.error?.message);
  assert.deepEqual(second.restoredFrom, { id: 1, store: 'memory' });
  const rows = readRows(out);
  assert.equal(rows.length, 300, 'the file sink truncated to the checkpoint and the source re-read from it');
  for (const p of [0, 1, 2]) {
    const seen = rows.filter((x) => x.p === p).map((x) => x.i);
    assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => i), `partition ${p}: each record once, in order`);
  }
  assert.deepEqual(await committed(group, topic), { 0: 100, 1: 100, 2: 100 });
});

void test('a partition that had returned nothing at the checkpoint is still listed there: a restore reads it from its start, not from where the group has committed since', { timeout: 120_000 }, async () => {
  // Partition 1 is empty when the first run checkpoints; a task's old owner, still running,
  // would then read it and commit past the checkpoint its successor restores.
  const topic = unique('src');
  topics.push(topic);
  await createTopic(topic, 2);
  await produce(topic, Array.from({ length: 50 }, (_, i) => ({ partition: 0, key: `k${i}`, value: JSON.stringify({ p: 0, i, ts: 1_767_225_600_000 + i * 1000 }) })));
  const group = uniqueGroup();
  const out = join(dir, 'unlisted.jsonl');
  const store = new MemoryCheckpointStore();
  const compiled = () => compileYaml(pipeline(topic, group, out), [kafkaSource, fileSinkPlugin]);
  const first = await runJob(compiled(), { maxEvents: 50, checkpoint: { store, interval: 0 } });
  assert.equal(first.status, 'stopped', first.error?.message);
  assert.deepEqual((await store.latest())!.sources.in, { [`${topic}:0`]: 50, [`${topic}:1`]: 0 });
  await produce(topic, Array.from({ length: 40 }, (_, i) => ({ partition: 1, key: `k${i}`, value: JSON.stringify({ p: 1, i, ts: 1_767_225_600_000 + i * 1000 }) })));
  await withAdmin((a) => a.setOffsets({ groupId: group, topic, partitions: [{ partition: 1, offset: '40' }] }));
  const second = await runJob(compiled(), { maxEvents: 90, checkpoint: { store, interval: 0 } });
  assert.equal(second.status, 'stopped', second.error?.message);
  assert.deepEqual(readRows(out).filter((x) => x.p === 1).map((x) => x.i), Array.from({ length: 40 }, (_, i) => i), 'partition 1 read from its start, each record once');
});
