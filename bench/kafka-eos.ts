/**
 * `kafka_eos` and `kafka_eos_baseline`: Kafka → Kafka through the engine against the real
 * broker (127.0.0.1:9092, `scripts/services up`), the `kafka` sink with `exactly_once`
 * (transactions committed at every checkpoint, one per second) and without it (the
 * idempotent producer, at least once): the same-run baseline.
 *
 * Before measuring, one input topic (3 partitions) gets `events` JSON records (~90 bytes,
 * keyed by one of `keys` users); the job reads it from the start in a fresh group
 * (`meta: false`, event time from `ts`), keys each record by user on the way out, and
 * stops at `events` (`maxEvents`), so the shutdown checkpoint commits the last
 * transaction. Measured: the whole `runJob`, group join and the last commit included.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { FolderCheckpointStore } from '../plugins/checkpoint-store-folder/folder-store.ts';
import { runJob } from '../core/runtime/engine/index.ts';
import { compilePipeline } from '../core/runtime/graph/index.ts';
import { builtinRegistry } from '../core/runtime/plugins/index.ts';
import { Measure } from './measure.ts';
import type { RunResult, ScenarioOptions } from './scenario.ts';

const BROKERS = ['127.0.0.1:9092'];
const PARTITIONS = 3;

async function prepare(kafka: Kafka, input: string, output: string, o: ScenarioOptions): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [input, output].map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })) });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const t0 = Date.UTC(2026, 0, 1);
  for (let from = 0; from < o.events; from += 10_000) {
    const messages = [];
    for (let i = from; i < Math.min(o.events, from + 10_000); i++) {
      const user = `u${(i * 7919) % o.keys}`;
      messages.push({ key: user, value: JSON.stringify({ user, ts: t0 + i, action: 'click', amount: i % 300 }) });
    }
    await producer.send({ topic: input, messages });
  }
  await producer.disconnect();
}

export function kafkaExactlyOnce(exactlyOnce: boolean) {
  return async (o: ScenarioOptions): Promise<RunResult> => {
    const tag = `${exactlyOnce ? 'eos' : 'eos-baseline'}-bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const input = `${tag}-in`;
    const output = `${tag}-out`;
    const kafka = new Kafka({ brokers: BROKERS, clientId: 'sluice-bench', logLevel: logLevel.NOTHING });
    const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-eos-'));
    try {
      await prepare(kafka, input, output, o);
      const text = `
name: ${tag.replaceAll('-', '_')}
sources:
  in:
    kafka: { topic: ${input}, brokers: ["127.0.0.1:9092"], meta: false, session_timeout: 6s }
    event_time: { field: ts, max_out_of_orderness: 1s }
sinks:
  out:
    input: in
    kafka: { topic: ${output}, brokers: ["127.0.0.1:9092"], key: "{user}", exactly_once: ${exactlyOnce} }
`;
      const compiled = compilePipeline({ file: join(dir, 'job.yaml'), text, env: {}, plugins: await builtinRegistry() });
      if (!compiled.pipeline) throw new Error(compiled.issues.map((i) => i.message).join('\n'));
      const store = new FolderCheckpointStore(join(dir, 'checkpoints'), { fsync: false });
      const measure = new Measure();
      measure.start();
      const result = await runJob(compiled.pipeline, { maxEvents: o.events, checkpoint: { store, interval: 1000, retain: 2 }, restart: { maxAttempts: 0 } });
      const m = measure.stop();
      if (result.status === 'failed') throw new Error(`kafka_eos: job failed: ${result.error?.message ?? ''}`);
      return { ...m, events: result.recordsIn, driver: 'engine', records_out: result.stages.out?.out ?? 0 };
    } finally {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [input, output] }).catch(() => undefined);
      await admin.disconnect();
      await rm(dir, { recursive: true, force: true });
    }
  };
}
