/**
 * Stages (core/runtime/scale/stages.ts): a pipeline run as tasks is cut at its `repartition`
 * operators; the upstream stage ends in the internal output, the downstream stage starts at
 * the internal input under the operator's id, so the operators after it are unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitStages, stageTask } from '../../core/runtime/scale/stages.ts';
import { filterPlugin } from '../../plugins/operator-filter/index.ts';
import { repartitionPlugin } from '../../plugins/operator-repartition/index.ts';
import { unionPlugin } from '../../plugins/operator-union/index.ts';
import { kafkaSource } from '../../plugins/source-kafka/index.ts';
import { kafkaSink } from '../../plugins/sink-kafka/index.ts';
import type { StageOptions } from '../../core/runtime/scale/stages.ts';
import { compileYaml } from './fixtures.ts';

// The repartition pair of the `kafka` plugins, on the cluster of a `kafka` source config.
const cluster = { brokers: ['b:9092'], connection_timeout: 1, request_timeout: 2, tls: undefined, sasl: undefined, session_timeout: 6000 };
const opts: StageOptions = {
  partitions: 4,
  input: (topic) => kafkaSource.tasks!.repartitionInput({ cluster, topic, upstreamTasks: 4 }),
  output: (topic, key, leader) => kafkaSink.repartitionOutput!({ cluster, topic, key, partitions: 4, leader }),
};
const plugins = [filterPlugin, repartitionPlugin, unionPlugin];

const PIPELINE = (union: string) => `
name: shop
sources:
  events: { scripted: { script: a }, event_time: { field: ts } }
  meta: { scripted: { script: b }, event_time: { field: ts } }
operators:
  kept: { input: events, filter: { where: "ts > 0" } }
  by_item: { input: kept, repartition: { key: item, partitions: 4 } }
  both: { input: [${union}], union: {} }
  again: { input: both, repartition: { key: [item, ts] } }
sinks:
  raw: { input: kept, collect: { name: raw } }
  out: { input: again, collect: { name: out } }
`;

void test('a pipeline is cut at each repartition: internal output upstream, internal input (same id) downstream', () => {
  const stages = splitStages(compileYaml(PIPELINE('by_item, meta'), plugins), opts);
  const shape = stages.map((s) => ({
    name: s.name,
    sources: s.pipeline.sources.map((x) => `${x.id}:${x.plugin.name}`),
    operators: s.pipeline.operators.map((x) => x.id),
    sinks: s.pipeline.sinks.map((x) => `${x.id}:${x.plugin.name}<-${x.input?.node}`),
  }));
  assert.deepEqual(shape, [
    { name: '', sources: ['events:scripted'], operators: ['kept'], sinks: ['raw:collect<-kept', 'by_item:repartition_output<-kept'] },
    // The broadcast-like source read only downstream goes with the downstream stage.
    { name: 'by_item', sources: ['by_item:repartition_input', 'meta:scripted'], operators: ['both'], sinks: ['again:repartition_output<-both'] },
    { name: 'again', sources: ['again:repartition_input'], operators: [], sinks: ['out:collect<-again'] },
  ]);
  const [first, second] = stages;
  const output = first!.pipeline.sinks[1]!.config as { topic: { topic: string; exactly_once: boolean; brokers: string[] }; key: string[]; partitions: number };
  assert.deepEqual([output.topic.topic, output.topic.exactly_once, output.topic.brokers, output.key, output.partitions], ['sluice.shop.by_item.repartition', true, ['b:9092'], ['item'], 4]);
  const input = second!.pipeline.sources[0]!;
  assert.deepEqual((input.config as { topic: { topic: string } }).topic.topic, 'sluice.shop.by_item.repartition');
  assert.deepEqual(input.streams['']!.key, ['item']);
  assert.equal(input.eventTime.maxOutOfOrderness, Number.POSITIVE_INFINITY);
  assert.equal(input.eventTime.idleTimeout, undefined);
  assert.deepEqual(stageTask('by_item', 2, 4), { id: 'by_item.task-2', index: 2, count: 4 });
  assert.deepEqual(stageTask('', 2, 4), { id: 'task-2', index: 2, count: 4 });
});

void test('a stage boundary that a stream bypasses, or a partition count other than the job\'s, is refused', () => {
  assert.throws(() => splitStages(compileYaml(PIPELINE('by_item, kept'), plugins), opts), /repartition 'by_item' does not cut the pipeline/);
  assert.throws(() => splitStages(compileYaml(PIPELINE('by_item, meta'), plugins), { ...opts, partitions: 3 }), /asks for 4 partitions, but the job runs as 3 tasks/);
});

void test('a pipeline without repartition is one stage, unchanged', () => {
  const p = compileYaml(PIPELINE('by_item, meta').replace(/ {2}by_item:.*\n/, '').replace('by_item, meta', 'kept, meta'), plugins);
  const stages = splitStages({ ...p, operators: p.operators.filter((o) => o.id !== 'again'), sinks: p.sinks.filter((s) => s.id !== 'out') }, opts);
  assert.equal(stages.length, 1);
  assert.equal(stages[0]!.name, '');
});

void test('two repartitions into one operator make one stage (co-partitioned inputs); a source read on both sides is read by both stages', () => {
  const p = compileYaml(`
name: shop
sources:
  events: { scripted: { script: a }, event_time: { field: ts } }
  meta: { scripted: { script: b }, event_time: { field: ts } }
operators:
  kept: { input: [events, meta], union: {} }
  left: { input: kept, repartition: { key: item } }
  right: { input: events, repartition: { key: item } }
  both: { input: [left, right, meta], union: {} }
sinks:
  out: { input: both, collect: { name: out } }
  archive: { input: meta, collect: { name: archive } }
`, plugins);
  const stages = splitStages(p, opts);
  assert.deepEqual(stages.map((s) => [s.name, s.pipeline.sources.map((x) => x.id), s.pipeline.operators.map((x) => x.id), s.pipeline.sinks.map((x) => x.id)]), [
    ['', ['events', 'meta'], ['kept'], ['archive', 'left', 'right']],
    ['left', ['left', 'right', 'meta'], ['both'], ['out']],
  ]);
  // One transaction per stage task: the first output leads.
  assert.deepEqual(stages[0]!.pipeline.sinks.slice(1).map((k) => (k.config as { leader: boolean }).leader), [true, false]);
});

void test('a repartition reading a source directly: the first stage is that source and the internal output', () => {
  const p = compileYaml(`
name: shop
sources:
  events: { scripted: { script: a }, event_time: { field: ts } }
operators:
  by_item: { input: events, repartition: { key: item } }
sinks:
  out: { input: by_item, collect: { name: out } }
`, plugins);
  const stages = splitStages(p, opts);
  assert.deepEqual(stages.map((s) => [s.name, s.pipeline.sources.map((x) => x.id), s.pipeline.sinks.map((x) => `${x.id}<-${x.input?.node}`)]), [
    ['', ['events'], ['by_item<-events']],
    ['by_item', ['by_item'], ['out<-by_item']],
  ]);
});
