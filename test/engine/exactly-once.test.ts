/**
 * The exactly-once restore rule (core/runtime/engine/exactly-once.ts) on its own: fence
 * first, then read the groups' offsets, then the newest complete checkpoint they match;
 * no offsets is a fresh start; offsets that match nothing refuse the start. And the jobs
 * `planExactlyOnce` refuses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definePlugin, field } from '../../core/api/index.ts';
import type { CheckpointManifest, ConsumerGroupPositions, GroupOffsets, Logger, SinkInstance } from '../../core/api/index.ts';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { NoMatchingCheckpoint, chooseExactlyOnce, planExactlyOnce } from '../../core/runtime/engine/exactly-once.ts';
import type { ExactlyOncePlan } from '../../core/runtime/engine/exactly-once.ts';
import type { EngineSettings } from '../../core/runtime/engine/settings.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import type { ScriptedSource } from './fixtures.ts';
import { chunk, compileYaml, lookupOf, resetFixtures, scriptedSource, scripts } from './fixtures.ts';
import { compilePipeline } from '../../core/runtime/graph/index.ts';
import { kafkaSink } from '../../plugins/sink-kafka/index.ts';
import { kafkaSource } from '../../plugins/source-kafka/index.ts';
import { fileSourcePlugin } from '../../plugins/source-file/index.ts';

const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger };

/** A group whose positions are `{partition: offset}` of topic `t`. */
function group(committed: Record<string, number>, calls: string[]): ConsumerGroupPositions {
  const asOffsets = (p: Record<string, number>): GroupOffsets => ({ groupId: 'g', offsets: Object.entries(p).map(([k, offset]) => ({ topic: 't', partition: Number(k), offset })) });
  return {
    offsetsOf: (position) => asOffsets((position ?? {}) as Record<string, number>),
    committed: () => {
      calls.push('committed');
      return Promise.resolve(asOffsets(committed));
    },
  };
}

function manifest(id: number, position: Record<string, number>): CheckpointManifest {
  return { id, job: 'j', createdAt: id, generation: 0, chunks: [], sources: { in: position }, sinks: {}, runtime: {} };
}

async function setup(committed: Record<string, number>, resetState = false) {
  const store = new MemoryCheckpointStore();
  await store.commit(manifest(1, { 0: 10 }));
  await store.commit(manifest(2, { 0: 20, 1: 5 }));
  await store.commit(manifest(3, { 0: 30, 1: 5 }));
  const calls: string[] = [];
  const plan: ExactlyOncePlan = { sinkId: 'out', writer: { fence: () => Promise.resolve(void calls.push('fence')) }, sources: [{ id: 'in', group: group(committed, calls) }] };
  const s = { store, logger, resetState } as unknown as EngineSettings;
  return { s, plan, calls };
}

void test('the newest checkpoint whose positions the groups committed is restored, after fencing', async () => {
  const { s, plan, calls } = await setup({ 0: 20, 1: 5 });
  assert.equal((await chooseExactlyOnce(s, plan, 0))?.id, 2, 'checkpoint 3 is complete but its transaction never committed');
  assert.deepEqual(calls, ['fence', 'committed']);
  const latest = await setup({ 1: 5, 0: 30 });
  assert.equal((await chooseExactlyOnce(latest.s, latest.plan, 0))?.id, 3);
});

void test('no committed offsets: a fresh start; offsets that match nothing: refused, unless --reset-state', async () => {
  const fresh = await setup({});
  assert.equal(await chooseExactlyOnce(fresh.s, fresh.plan, 0), undefined);
  const stray = await setup({ 0: 25 });
  await assert.rejects(chooseExactlyOnce(stray.s, stray.plan, 0), (e) => e instanceof NoMatchingCheckpoint && e.code === 'E_CHECKPOINT' && /g \{t:0@25\}/.test(e.message));
  const reset = await setup({ 0: 25 }, true);
  assert.equal(await chooseExactlyOnce(reset.s, reset.plan, 0), undefined);
  // Checkpoints up to `ignoreUpTo` (--reset-state) are no candidates.
  const ignored = await setup({ 0: 20, 1: 5 }, true);
  assert.equal(await chooseExactlyOnce(ignored.s, ignored.plan, 2), undefined);
});

void test('a writer that marks its committed checkpoint: that checkpoint is restored, whatever the groups hold', async () => {
  const marked = async (id: number | undefined, resetState = false) => {
    const x = await setup({}, resetState);
    return { ...x, plan: { ...x.plan, writer: { ...x.plan.writer, committedCheckpoint: () => Promise.resolve(id) } } };
  };
  const two = await marked(2);
  assert.equal((await chooseExactlyOnce(two.s, two.plan, 0))?.id, 2, 'checkpoint 3 is complete but its transaction never committed');
  assert.deepEqual(two.calls, ['fence'], 'no group offsets needed');
  const none = await marked(undefined);
  assert.equal(await chooseExactlyOnce(none.s, none.plan, 0), undefined, 'nothing committed yet, no group offsets: a fresh start');
  const gone = await marked(7);
  await assert.rejects(chooseExactlyOnce(gone.s, gone.plan, 0), (e) => e instanceof NoMatchingCheckpoint && /last committed checkpoint 7/.test(e.message));
  const reset = await marked(7, true);
  assert.equal(await chooseExactlyOnce(reset.s, reset.plan, 0), undefined);
});

void test('jobs that cannot write exactly once are refused at start', () => {
  const writer = { fence: () => Promise.resolve() };
  const eos = { name: 'kafka', exactlyOnce: () => writer };
  const plain = { name: 'file' };
  const kafkaSource = { name: 'kafka', consumerGroup: () => group({}, []) };
  const settings = (over: { sinks?: unknown[]; sources?: unknown[]; late?: unknown; retain?: number; store?: unknown }) =>
    ({
      logger,
      overrides: {},
      store: 'store' in over ? over.store : new MemoryCheckpointStore(),
      checkpoint: { retain: over.retain ?? 3 },
      pipeline: { name: 'j', sources: over.sources ?? [{ id: 'in', plugin: kafkaSource, config: {} }], sinks: over.sinks ?? [], late: over.late, deadLetter: undefined },
    }) as unknown as EngineSettings;
  const sink = (id: string, plugin: unknown) => ({ id, plugin, config: {} });
  assert.equal(planExactlyOnce(settings({ sinks: [sink('a', plain)] })), undefined);
  assert.equal(planExactlyOnce(settings({ sinks: [sink('a', eos), sink('b', plain)] }))?.sinkId, 'a');
  const refused = (over: Parameters<typeof settings>[0], pattern: RegExp) =>
    assert.throws(() => planExactlyOnce(settings(over)), (e: Error & { code?: string }) => e.code === 'E_RUNTIME_CONFIG' && pattern.test(e.message));
  refused({ sinks: [sink('a', eos), sink('b', eos)] }, /'a', 'b' write exactly once; a job can have one/);
  refused({ sinks: [sink('a', eos)], sources: [{ id: 'f', plugin: plain, config: {} }] }, /source 'f' \(file\) does not/);
  refused({ sinks: [sink('a', eos)], retain: 1 }, /retain ≥ 2/);
  refused({ sinks: [sink('a', eos)], store: undefined }, /needs checkpoints/);
  refused({ late: sink('late', eos) }, /late and dead-letter outputs cannot/);
  // The in-process test runner replaces sinks: nothing is written to Kafka, so nothing needs fencing.
  assert.equal(planExactlyOnce({ ...settings({ sinks: [sink('a', eos)], store: undefined }), overrides: { sinks: { a: () => ({}) } } } as unknown as EngineSettings), undefined);
});

// ---- through runJob: who hears what at a checkpoint ----

const heard: string[] = [];
const sources: ScriptedSource[] = [];

const groupSource = definePlugin({
  ...scriptedSource,
  name: 'scripted_group',
  create(ctx) {
    const source = scriptedSource.create(ctx) as ScriptedSource;
    sources.push(source);
    return source;
  },
  consumerGroup: () => ({
    offsetsOf: (position: unknown) => ({ groupId: 'g', offsets: [{ topic: 't', partition: 0, offset: Number(position ?? 0) }] }),
    committed: () => Promise.resolve({ groupId: 'g', offsets: [] }),
  }),
});

const eosSink = definePlugin({
  kind: 'sink',
  name: 'eos_collect',
  summary: 'Test sink that writes exactly once (it only records what it hears).',
  spec: field.object({}),
  exactlyOnce: () => ({ fence: () => Promise.resolve(void heard.push('fence')) }),
  create(): SinkInstance {
    return {
      open: () => Promise.resolve(),
      write: () => Promise.resolve(),
      checkpoint: () => Promise.resolve(void heard.push('checkpoint')),
      onCheckpointComplete: (_p, c) => Promise.resolve(void heard.push(`complete ${c.id} ${JSON.stringify(c.sourceOffsets)}`)),
      onCheckpointAborted: () => Promise.resolve(void heard.push('aborted')),
      close: () => Promise.resolve(),
    };
  },
});

void test('runJob: the exactly-once sink gets the sources\' group offsets at completion, the sources commit nothing, a declined checkpoint is announced', async () => {
  resetFixtures();
  heard.length = 0;
  scripts.set('s', { steps: [[chunk(0, [{ v: { a: 1 }, t: 1 }])], [chunk(0, [{ v: { a: 2 }, t: 2 }])]] });
  const pipeline = compileYaml(
    `
name: eos_engine
sources:
  in: { scripted_group: { script: s } }
sinks:
  out: { input: in, eos_collect: {} }
`,
    [groupSource, eosSink],
  );
  const store = new MemoryCheckpointStore();
  let failCommit = true;
  store.beforeWrite = (what) => {
    if (what === 'commit' && failCommit) {
      failCommit = false;
      throw new Error('store down');
    }
  };
  const r = await runJob(pipeline, { checkpoint: { store, interval: 0, retain: 2 } });
  assert.equal(r.status, 'finished', r.error?.message);
  assert.deepEqual(heard, ['fence', 'checkpoint', 'aborted']);
  // The next run: fenced, fresh (nothing committed), and its final checkpoint commits offsets through the sink.
  heard.length = 0;
  const r2 = await runJob(pipeline, { checkpoint: { store, interval: 0, retain: 2 } });
  assert.equal(r2.status, 'finished', r2.error?.message);
  assert.deepEqual(sources.map((x) => x.committed), [[], []], 'the sources commit nothing themselves');
  assert.deepEqual(heard, ['fence', 'checkpoint', `complete 1 [{"groupId":"g","offsets":[{"topic":"t","partition":0,"offset":2}]}]`]);
});

void test('lint: two exactly-once sinks and an exactly-once dead-letter output are errors at their blocks; a non-Kafka source is not (the kafka sink marks its committed checkpoint)', () => {
  const kafka = (topic: string, eos = true) => `{ brokers: ["127.0.0.1:9092"], topic: ${topic}, exactly_once: ${eos} }`;
  const text = `
name: eos_lint
sources:
  k: { kafka: { brokers: ["127.0.0.1:9092"], topic: in } }
  f: { file: { path: in.jsonl } }
sinks:
  a: { input: k, kafka: ${kafka('a')} }
  b: { input: f, kafka: ${kafka('b')} }
  c: { input: f, kafka: ${kafka('c', false)} }
dead_letter: { kafka: ${kafka('dead')} }
`;
  const result = compilePipeline({ file: 'eos.yaml', text, env: {}, plugins: lookupOf([kafkaSource, kafkaSink, fileSourcePlugin]) });
  const errors = result.issues.filter((i) => i.severity === 'error').map((i) => [i.code, i.configPath, i.line, i.message]);
  assert.deepEqual(errors.map((e) => e.slice(0, 3)), [
    ['E_CONFIG_INVALID', 'sinks.b', 8],
    ['E_CONFIG_INVALID', 'dead_letter', 10],
  ]);
  assert.match(String(errors[0]![3]), /sinks 'a', 'b' write exactly once/);
  assert.match(String(errors[1]![3]), /late and dead-letter outputs cannot/);
  assert.equal(result.pipeline, undefined);
});
