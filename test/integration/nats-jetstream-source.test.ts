/**
 * `nats_jetstream` against the real nats-server: end to end through `runJob`, a restore
 * that re-reads exactly the messages after the checkpointed stream sequence, and a durable
 * consumer acked up to the checkpoint.
 */
import { test, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { jetstream } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { MemoryCheckpointStore } from '../../core/runtime/checkpoint/memory-store.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import type { RunningJob } from '../../core/runtime/engine/index.ts';
import { behaviours, collection, compileYaml, resetFixtures } from '../engine/fixtures.ts';
import { natsJetStreamSourcePlugin } from '../../plugins/source-nats-jetstream/index.ts';
import { createTelemetry } from '../../core/telemetry/index.ts';
import { NATS_SERVER, testNats, uniqueName } from '../../lib/nats-client/test-support.ts';

const nats = await testNats();
const js = jetstream(nats.nc);
const streams: string[] = [];
after(() => nats.cleanup(streams));
beforeEach(resetFixtures);

/** A stream with `n` messages `{i}` on `<subject>.<i % 3>`, each with a header. */
async function filledStream(n: number): Promise<{ stream: string; subject: string }> {
  const stream = uniqueName('SRC');
  const subject = uniqueName('src');
  streams.push(stream);
  await nats.jsm.streams.add({ name: stream, subjects: [`${subject}.>`] });
  await publish(subject, 0, n);
  return { stream, subject };
}

async function publish(subject: string, from: number, to: number): Promise<void> {
  const acks = [];
  for (let i = from; i < to; i++) {
    const h = headers();
    h.set('K', `k${i}`);
    acks.push(js.publish(`${subject}.${i % 3}`, JSON.stringify({ i }), { headers: h }));
  }
  await Promise.all(acks);
}

function pipeline(stream: string, extra = ''): string {
  return `
name: nats_source_test
sources:
  s:
    nats_jetstream: { servers: ["${NATS_SERVER}"], stream: ${stream}, max_wait: 1s${extra} }
sinks:
  out:
    input: s
    collect: { name: out }
`;
}

const compile = (text: string) => compileYaml(text, [natsJetStreamSourcePlugin]);
const seqs = () => collection('out').rows.map((r) => (r.value._meta as { stream_seq: number }).stream_seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

void test('reads every message once, in stream order, with subject, headers, sequence and the stored time', async () => {
  const { stream, subject } = await filledStream(250);
  const before = Date.now();
  const r = await runJob(compile(pipeline(stream)), { checkpoint: { store: null }, maxEvents: 250, batchSize: 64 });
  assert.equal(r.status, 'stopped');
  assert.equal(r.recordsIn, 250);
  const rows = collection('out').rows;
  assert.deepEqual(seqs(), range(1, 250));
  assert.deepEqual(rows.map((x) => x.value.i), range(0, 249));
  assert.deepEqual(rows[7]!.value._meta, { subject: `${subject}.1`, headers: { K: 'k7' }, stream_seq: 8 });
  assert.ok(rows.every((x) => x.time <= Date.now() && x.time > before - 60_000), 'event time is the stored time');
});

void test('a restore re-reads exactly the messages after the checkpointed sequence; the sink ends with each message once', async () => {
  const n = 300;
  const { stream, subject } = await filledStream(n);
  const store = new MemoryCheckpointStore();
  let job: RunningJob | undefined;
  let checkpointed = false;
  let writesAfter = 0;
  behaviours.set('out', {
    beforeWrite: (_b, k) => {
      if (k === 3) void job!.triggerCheckpoint();
      if (checkpointed && ++writesAfter > 3) throw new Error('crash after the checkpoint');
    },
  });
  const failed = await runJob(compile(pipeline(stream)), {
    checkpoint: { store, interval: 0 },
    restart: { maxAttempts: 0 },
    sinkRetry: { unknownErrorAttempts: 1, initial: 1, max: 1 },
    batchSize: 20,
    onStart: (j) => (job = j),
    onCheckpoint: () => (checkpointed = true),
  });
  assert.equal(failed.status, 'failed');
  const position = store.manifests.get(1)!.sources.s as number;
  assert.ok(position > 0 && position < n, `checkpointed at ${position}`);
  assert.ok(collection('out').rows.length > position, 'records after the checkpoint reached the sink before the crash');

  // New messages arrive while the job is down; the restore must read them too.
  await publish(subject, n, n + 50);
  behaviours.delete('out');
  // maxEvents counts the whole run: what the checkpoint read, then the messages after it.
  const r = await runJob(compile(pipeline(stream)), { checkpoint: { store, interval: 0 }, maxEvents: n + 50, batchSize: 20 });
  assert.equal(r.status, 'stopped');
  assert.deepEqual(r.restoredFrom, { id: 1, store: 'memory' });
  // The job's counters came back with the checkpoint: it reports the whole run.
  assert.equal(r.recordsIn, n + 50, 'the checkpoint\'s count plus the messages after it');
  assert.deepEqual(seqs(), range(1, n + 50), 'the collect sink, truncated to the checkpoint, holds every message once');
});

void test('start: new skips what was stored before; a durable consumer is acked up to the checkpoint and a fresh start resumes after it', async () => {
  const { stream, subject } = await filledStream(40);
  const durable = uniqueName('dur');
  const text = pipeline(stream, `, durable: ${durable}, start: new`);
  const first = startAfter(compile(text), 30);
  await waitForConsumer(stream, durable);
  await publish(subject, 40, 100);
  const r1 = await first;
  assert.equal(r1.status, 'stopped');
  assert.deepEqual(seqs(), range(41, 70));
  const info = await nats.jsm.consumers.info(stream, durable);
  assert.equal(info.ack_floor.stream_seq, 70, 'acked up to the final checkpoint');
  resetFixtures();
  // No checkpoint store: a fresh start, which resumes after the durable's ack floor.
  const r2 = await runJob(compile(text), { checkpoint: { store: null }, maxEvents: 30 });
  assert.equal(r2.status, 'stopped');
  assert.deepEqual(seqs(), range(71, 100));
});

function startAfter(p: ReturnType<typeof compile>, maxEvents: number) {
  return runJob(p, { checkpoint: { store: new MemoryCheckpointStore(), interval: 0 }, maxEvents });
}

async function waitForConsumer(stream: string, name: string): Promise<void> {
  for (let k = 0; k < 200; k++) {
    const ok = await nats.jsm.consumers.info(stream, name).then(() => true, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`consumer ${name} never appeared`);
}

void test('create_stream creates the stream; polls return what is ready; close removes the ephemeral consumer', async () => {
  const stream = uniqueName('NEW');
  const subject = uniqueName('new');
  streams.push(stream);
  const s = await natsJetStreamSourcePlugin.create({
    id: 's', job: 'direct', deps: {}, logger: undefined as never,
    config: { servers: [NATS_SERVER], stream, subjects: [`${subject}.>`], create_stream: true, start: 'all', max_wait: 1000, poll_wait: 20, checkpoint_interval: 10_000, max_ack_pending: 100, connect_timeout: 5000 },
  });
  await s.open(undefined);
  assert.deepEqual((await nats.jsm.streams.info(stream)).config.subjects, [`${subject}.>`]);
  assert.equal((await nats.jsm.streams.info(stream)).state.consumer_count, 1);
  assert.deepEqual(await s.poll(10), [], 'nothing stored yet');
  await publish(subject, 0, 25);
  const got: number[] = [];
  for (let k = 0; k < 200 && got.length < 25; k++) {
    const chunks = (await s.poll(10))!;
    for (const c of chunks) {
      assert.equal(c.partition, stream);
      assert.ok(c.payloads!.length <= 10, 'at most maxRecords per poll');
      got.push(...(c.offsets as number[]));
    }
  }
  assert.deepEqual(got, range(1, 25));
  assert.equal(s.position(), 25);
  await s.close();
  assert.equal((await nats.jsm.streams.info(stream)).state.consumer_count, 0);
});

void test('back-pressure: nothing is fetched while the source is not polled; at most two polls\' worth is ever delivered ahead', async () => {
  const { stream } = await filledStream(100);
  const s = await natsJetStreamSourcePlugin.create({
    id: 's', job: 'bp', deps: {}, logger: undefined as never,
    config: { servers: [NATS_SERVER], stream, create_stream: false, start: 'all', max_wait: 1000, poll_wait: 200, checkpoint_interval: 10_000, max_ack_pending: 100, connect_timeout: 5000 },
  });
  await s.open(undefined);
  const first = (await s.poll(10))!;
  assert.ok(first.length === 1 && first[0]!.payloads!.length <= 10);
  const delivered = async () => {
    const [c] = await nats.jsm.consumers.list(stream).next();
    return c!.delivered.stream_seq;
  };
  await new Promise((r) => setTimeout(r, 300));
  const ahead = await delivered();
  assert.ok(ahead <= 20, `delivered ${ahead} after one poll of 10`);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await delivered(), ahead, 'no pull while not polled');
  await s.close();
});

void test('a consumer deleted under the source is recreated after the last sequence read: no gap, no repeat', async () => {
  const { stream } = await filledStream(60);
  const s = await natsJetStreamSourcePlugin.create({
    id: 's', job: 'gone', deps: {}, logger: undefined as never,
    config: { servers: [NATS_SERVER], stream, create_stream: false, start: 'all', max_wait: 1000, poll_wait: 50, checkpoint_interval: 10_000, max_ack_pending: 100, connect_timeout: 5000 },
  });
  await s.open(undefined);
  const got: number[] = [];
  const pollInto = async () => {
    for (const c of (await s.poll(10))!) got.push(...(c.offsets as number[]));
  };
  while (got.length < 15) await pollInto();
  const [info] = await nats.jsm.consumers.list(stream).next();
  await nats.jsm.consumers.delete(stream, info!.name);
  for (let k = 0; k < 400 && got.length < 60; k++) await pollInto();
  assert.deepEqual(got, range(1, 60));
  await s.close();
});

void test('a poll span links to the producer span named by the messages\' traceparent header', async () => {
  const stream = uniqueName('SRC');
  const subject = uniqueName('src');
  streams.push(stream);
  await nats.jsm.streams.add({ name: stream, subjects: [`${subject}.>`] });
  const producer = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const h = headers();
  h.set('traceparent', producer);
  await Promise.all([0, 1, 2].map((i) => js.publish(`${subject}.${i}`, JSON.stringify({ i }), { headers: h })));
  const telemetry = createTelemetry({ serviceName: 'nats_source_test', exporter: 'memory' });
  const r = await runJob(compile(pipeline(stream)), { telemetry, checkpoint: { store: null }, maxEvents: 3 });
  assert.equal(r.stages.out!.out, 3);
  const polls = telemetry.spans!.getFinishedSpans().filter((s) => s.name === 'source s poll');
  assert.ok(polls.some((p) => p.links.some((l) => l.context.traceId === '0af7651916cd43dd8448eb211c80319c' && l.context.spanId === 'b7ad6b7169203331')), 'a poll links to the producer');
  await telemetry.shutdown();
});
