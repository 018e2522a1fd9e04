/**
 * Back-pressure of the `kafka` source against the real broker: while nobody polls, a
 * partition's buffer fills to `max_buffered` and the partition is paused; polling drains
 * it and resumes it. Observed through the source's gauges on a real OpenTelemetry meter.
 * While every partition is paused the consumer's fetching is held, with heartbeats, so a
 * long stall does not cost the member its place in the group.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Logger } from '../../core/api/index.ts';
import { OnDemandMetricReader } from '../../core/telemetry/index.ts';
import { createKafkajsClient } from '../../lib/kafka-client/kafkajs-client.ts';
import { KafkaSource } from '../../plugins/source-kafka/kafka-source.ts';
import { LAG_GAUGE, PAUSED_GAUGE } from '../../plugins/source-kafka/metrics.ts';
import { BROKERS, createTopic, cleanup, produce, unique, uniqueGroup, until } from './kafka-helpers.ts';

const topics: string[] = [];
after(() => cleanup(...topics));

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };

async function gauges(reader: OnDemandMetricReader): Promise<Record<string, Record<string, number>>> {
  const { resourceMetrics } = await reader.collect();
  const out: Record<string, Record<string, number>> = {};
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const m of scope.metrics) {
      for (const p of m.dataPoints) {
        assert.equal(p.attributes.source, 'in');
        (out[m.descriptor.name] ??= {})[`${String(p.attributes.topic)}:${String(p.attributes.partition)}`] = p.value as number;
      }
    }
  }
  return out;
}

void test('a full buffer pauses the partition (gauge 1) until polls drain it, then it resumes and every record arrives once', async () => {
  const topic = unique('bp');
  topics.push(topic);
  await createTopic(topic, 2);
  await produce(topic, Array.from({ length: 2000 }, (_, i) => ({ partition: 0, value: JSON.stringify({ i }) })));
  await produce(topic, [{ partition: 1, value: '{"i":0}' }]);
  const reader = new OnDemandMetricReader();
  const meter = new MeterProvider({ readers: [reader] }).getMeter('test');
  const config = {
    brokers: BROKERS, topic, group_id: uniqueGroup(), start: 'earliest' as const, max_buffered: 100, max_bytes_per_partition: 4096, max_bytes: 10_485_760,
    session_timeout: 10_000, join_timeout: 60_000, meta: false, connection_timeout: 10_000, request_timeout: 30_000,
  };
  const source = new KafkaSource({ id: 'in', job: 'bp', config, logger: silent, meter, client: createKafkajsClient({ brokers: BROKERS, clientId: 'bp' }, silent) });
  await source.open(undefined);
  try {
    const p0 = `${topic}:0`;
    const p1 = `${topic}:1`;
    await until(async () => (await gauges(reader))[PAUSED_GAUGE]?.[p0] === 1, 'partition 0 to pause');
    const paused = await gauges(reader);
    assert.equal(paused[PAUSED_GAUGE]![p1], 0, 'partition 1 holds one record and keeps fetching');
    assert.ok(paused[LAG_GAUGE]![p0]! >= 2000 - 0, 'nothing returned yet: the lag is the whole partition');
    assert.deepEqual(source.readings().map((r) => r.paused), [true, false]);
    const seen = new Map<string, number[]>();
    let polled = 0;
    let resumedWhileDraining = false;
    while (polled < 2001) {
      for (const c of (await source.poll(64))!) {
        const list = seen.get(String(c.partition)) ?? [];
        list.push(...c.offsets!.map(Number));
        seen.set(String(c.partition), list);
        polled += c.offsets!.length;
      }
      if (polled < 2000 && (await gauges(reader))[PAUSED_GAUGE]?.[p0] === 0) resumedWhileDraining = true;
    }
    assert.ok(resumedWhileDraining, 'the partition resumed once its buffer drained');
    assert.deepEqual(seen.get(p0), Array.from({ length: 2000 }, (_, i) => i));
    assert.deepEqual(seen.get(p1), [0]);
    const end = await gauges(reader);
    assert.deepEqual([end[PAUSED_GAUGE]![p0], end[LAG_GAUGE]![p0], end[LAG_GAUGE]![p1]], [0, 0, 0]);
  } finally {
    await source.close();
  }
});

void test('every partition paused for longer than the session timeout: the consumer holds its fetching, stays in its group, and reads on once polled', async () => {
  const topic = unique('bphold');
  topics.push(topic);
  await createTopic(topic, 2);
  for (const partition of [0, 1]) await produce(topic, Array.from({ length: 600 }, (_, i) => ({ partition, value: JSON.stringify({ i }) })));
  const assignments: string[] = [];
  const logger: Logger = { ...silent, debug: (message) => void (message === 'kafka partitions assigned' && assignments.push(message)), child: () => logger };
  const config = {
    brokers: BROKERS, topic, group_id: uniqueGroup(), start: 'earliest' as const, max_buffered: 100, max_bytes_per_partition: 4096, max_bytes: 10_485_760,
    session_timeout: 6_000, join_timeout: 60_000, meta: false, connection_timeout: 10_000, request_timeout: 30_000,
  };
  const source = new KafkaSource({ id: 'in', job: 'bphold', config, logger, client: createKafkajsClient({ brokers: BROKERS, clientId: 'bphold' }, silent) });
  await source.open(undefined);
  try {
    await until(() => Promise.resolve(source.readings().every((r) => r.paused)), 'both partitions to pause');
    // Nobody polls for 1.5 session timeouts: only the hold's heartbeats keep the member in the group.
    await new Promise((resolve) => setTimeout(resolve, 9_000));
    const seen = new Map<string, number[]>();
    let polled = 0;
    while (polled < 1200) {
      for (const c of (await source.poll(64))!) {
        const list = seen.get(String(c.partition)) ?? [];
        list.push(...c.offsets!.map(Number));
        seen.set(String(c.partition), list);
        polled += c.offsets!.length;
      }
    }
    for (const p of [0, 1]) assert.deepEqual(seen.get(`${topic}:${p}`), Array.from({ length: 600 }, (_, i) => i), `every record of partition ${p} once, in order`);
    // An evicted member finds out at its first heartbeat after the hold, and joins again.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal(assignments.length, 1, 'one group join: no rebalance while the fetching was held');
  } finally {
    await source.close();
  }
});
