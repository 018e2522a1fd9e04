/**
 * Watermark alignment against the real broker: a backfill of one topic with 4 partitions
 * covering the same four days of event time, two big (20 000 records each) and two small
 * (1 000 records each, plus records two days behind their predecessors). A keyed tumbling
 * `window_aggregate` reads it. The small partitions race ahead in event time (the source
 * shares each poll over the partitions by record count): without alignment the big ones
 * hold the job's watermark far behind them and some of the records two days late within
 * their partition are counted; with alignment (`max_drift: 1m`) every one of them is
 * declared late, and nothing else is. (When the small partitions run out of records their
 * watermarks stop short of the big ones', which then wait `idle_timeout` for them to go
 * idle: kept short here.)
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { runJob } from '../../core/runtime/engine/index.ts';
import { windowAggregatePlugin } from '../../plugins/operator-window-aggregate/index.ts';
import { kafkaSource } from '../../plugins/source-kafka/index.ts';
import { collection, compileYaml, resetFixtures } from '../engine/fixtures.ts';
import { produceBackfill } from './alignment-backfill.ts';
import type { Action } from './alignment-backfill.ts';
import { BROKERS, cleanup, createTopic, unique, uniqueGroup } from './kafka-helpers.ts';

const topics: string[] = [];
after(() => cleanup(...topics));


async function run(topic: string, total: number, alignment: boolean): Promise<{ late: string[]; counted: number }> {
  resetFixtures();
  const pipeline = compileYaml(
    `
name: kafka_alignment_test
sources:
  actions:
    kafka: { topic: ${topic}, brokers: ["${BROKERS[0]}"], group_id: ${uniqueGroup('align')}, session_timeout: 10s, meta: false }
    event_time: { field: ts, max_out_of_orderness: 30s, idle_timeout: 2s${alignment ? ', alignment: { max_drift: 1m }' : ''} }
operators:
  per_user:
    input: actions
    window_aggregate: { key: user, window: { tumbling: 1h }, allowed_lateness: 5m, aggregates: { n: count } }
sinks:
  out:
    input: per_user
    collect: { name: out }
late: { collect: { name: late } }
`,
    [kafkaSource, windowAggregatePlugin],
  );
  const r = await runJob(pipeline, { maxEvents: total, checkpoint: { store: null }, batchSize: 256 });
  assert.equal(r.status, 'stopped', r.error?.message);
  assert.equal(r.recordsIn, total);
  const late = collection('late').rows.map((row) => (row.value.record as Action).id).sort();
  // The last emission of each window holds its final count.
  const windows = new Map<string, number>();
  for (const row of collection('out').rows) windows.set(`${String(row.value.user)}@${String(row.value.window_start)}`, row.value.n as number);
  return { late, counted: [...windows.values()].reduce((a, b) => a + b, 0) };
}

void test('backfill over 4 partitions: with alignment every record two days late within its partition is declared late; without, some are counted', { timeout: 120_000 }, async () => {
  const topic = unique('align');
  topics.push(topic);
  await createTopic(topic, 4);
  const { total, late } = await produceBackfill(topic);
  assert.equal(late.length, 24);

  const on = await run(topic, total, true);
  assert.deepEqual(on.late, late, 'exactly the records late within their own partition');
  assert.equal(on.counted, total - late.length);

  const off = await run(topic, total, false);
  const counted = late.filter((id) => !off.late.includes(id));
  assert.ok(counted.length > 0, `without alignment some late records are counted (late: ${off.late.length} of ${late.length})`);
  assert.ok(off.late.every((id) => late.includes(id)), 'only injected records can be late');
  assert.equal(off.counted, total - off.late.length);
});
