/**
 * Throughput of the Kafka plugins against the broker at 127.0.0.1:9092 (a script, not a
 * test): `generator → kafka sink` (produce) and `kafka source → null sink` (consume, with
 * `meta: false` and `meta: true`), each run `RUNS` times on a fresh topic; prints records/s
 * per run and the median.
 *
 *   node --import tsx lib/kafka-client/bench/throughput.ts [records=200000] [runs=3]
 *
 * Wall time covers the whole job (connect, group join, the final checkpoint): the figures
 * are what a short job sees, a little below the steady state.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { compilePipeline } from '../../../core/runtime/graph/index.ts';
import type { PluginLookup } from '../../../core/runtime/graph/index.ts';
import { runJob } from '../../../core/runtime/engine/index.ts';
import { MemoryCheckpointStore } from '../../../core/runtime/checkpoint/memory-store.ts';
import type { PluginDefinition, PluginKind } from '../../../core/api/index.ts';
import { generatorPlugin } from '../../../plugins/source-generator/index.ts';
import { nullSinkPlugin } from '../../../plugins/sink-null/index.ts';
import { kafkaSink } from '../../../plugins/sink-kafka/index.ts';
import { kafkaSource } from '../../../plugins/source-kafka/index.ts';

const N = Number(process.argv[2] ?? 200_000);
const RUNS = Number(process.argv[3] ?? 3);
const plugins = [generatorPlugin, nullSinkPlugin, kafkaSink, kafkaSource] as unknown as PluginDefinition[];
const lookup: PluginLookup = {
  get: (kind: PluginKind, name: string) => plugins.find((p) => p.kind === kind && p.name === name),
  names: (kind: PluginKind) => plugins.filter((p) => p.kind === kind).map((p) => p.name),
};

function compile(text: string) {
  const r = compilePipeline({ file: 'bench.yaml', text, env: {}, plugins: lookup });
  if (!r.pipeline) throw new Error(r.issues.map((i) => i.message).join('\n'));
  return r.pipeline;
}

const produceYaml = (topic: string) => `
name: bench_produce
sources:
  gen:
    generator:
      seed: 1
      count: ${N}
      fields:
        event_id: { id: "e-" }
        user_id: { int: [1, 100000] }
        action: { one_of: [impression, click, save, search] }
        ts: { sequence: { start: "2026-01-01T00:00:00Z", step: 10ms } }
    event_time: { field: ts, max_out_of_orderness: 1s }
sinks:
  out:
    input: gen
    kafka: { brokers: ["127.0.0.1:9092"], topic: ${topic}, key: "{user_id}", create_topics: { partitions: 4 } }
`;

const consumeYaml = (topic: string, meta: boolean) => `
name: bench_consume
sources:
  in:
    kafka: { brokers: ["127.0.0.1:9092"], topic: ${topic}, group_id: bench-${randomBytes(4).toString('hex')}, meta: ${meta} }
    event_time: { field: ts, max_out_of_orderness: 1s }
sinks:
  out:
    input: in
    "null": {}
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const admin = new Kafka({ brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const produced: number[] = [];
  const consumed: number[] = [];
  const consumedMeta: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const topic = `bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
      try {
        let t0 = performance.now();
        const p = await runJob(compile(produceYaml(topic)), { checkpoint: { store: null } });
        if (p.status !== 'finished') throw p.error ?? new Error(p.status);
        produced.push(N / ((performance.now() - t0) / 1000));
        for (const [meta, into] of [[false, consumed], [true, consumedMeta]] as const) {
          t0 = performance.now();
          const c = await runJob(compile(consumeYaml(topic, meta)), { maxEvents: N, checkpoint: { store: new MemoryCheckpointStore(), interval: 0 } });
          if (c.status !== 'stopped') throw c.error ?? new Error(c.status);
          into.push(N / ((performance.now() - t0) / 1000));
        }
        console.log(`run ${run + 1}: produce ${Math.round(produced.at(-1)!)} rec/s, consume ${Math.round(consumed.at(-1)!)} rec/s (with _meta ${Math.round(consumedMeta.at(-1)!)})`);
      } finally {
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      }
    }
  } finally {
    await admin.disconnect();
  }
  console.log(`median of ${RUNS}, ${N} records: produce ${Math.round(median(produced))} rec/s, consume ${Math.round(median(consumed))} rec/s (with _meta ${Math.round(median(consumedMeta))})`);
}

await main();
