/**
 * Throughput of the NATS plugins against the server of `scripts/services` (figures for the
 * issue's notes, not a test; they depend on the machine and its load). Median of 3 runs:
 *   node --import tsx lib/nats-client/nats.bench.ts [messages]
 * - sink publish: `nats` sink `write` of 1024-record batches, JetStream (acks, Nats-Msg-Id) and core NATS;
 * - source → null sink: `nats_jetstream` through `runJob` into the `null` sink.
 */
import { APPEND_ONLY, BatchBuilder } from '../../core/api/index.ts';
import type { Batch, SinkInstance } from '../../core/api/index.ts';
import { getCodec } from '../../core/runtime/codec/index.ts';
import { createExpressionCompiler } from '../../core/runtime/expr/compiler.ts';
import { runJob } from '../../core/runtime/engine/index.ts';
import { compilePipeline } from '../../core/runtime/graph/index.ts';
import { natsSinkPlugin } from '../../plugins/sink-nats/index.ts';
import { natsJetStreamSourcePlugin } from '../../plugins/source-nats-jetstream/index.ts';
import { nullSinkPlugin } from '../../plugins/sink-null/index.ts';
import { NATS_SERVER, testNats, uniqueName } from './test-support.ts';

const N = Number(process.argv[2] ?? 200_000);
const BATCH = 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => Math.round(x).toLocaleString('en');

function batches(offset: number): Batch[] {
  const out: Batch[] = [];
  for (let from = 0; from < N; from += BATCH) {
    const b = new BatchBuilder();
    for (let i = from; i < Math.min(N, from + BATCH); i++) b.push({ event_id: `ev-${offset + i}`, user_id: `u${i % 1000}`, action: 'click', amount: i % 97, ts: 1_700_000_000_000 + i }, 0);
    out.push(b.take());
  }
  return out;
}

async function sink(config: Record<string, unknown>): Promise<SinkInstance> {
  const s = await natsSinkPlugin.create({
    id: 'bench', job: 'bench', deps: {}, logger: undefined as never,
    config: { servers: [NATS_SERVER], ack_timeout: 30_000, change_field: 'op', connect_timeout: 5000, ...config } as never,
    input: { changelog: APPEND_ONLY }, codec: getCodec('json'), expressions: createExpressionCompiler(),
  });
  await s.open(undefined);
  return s;
}

async function timedWrites(s: SinkInstance, data: Batch[]): Promise<number> {
  const t0 = performance.now();
  for (const b of data) await s.write(b);
  return N / ((performance.now() - t0) / 1000);
}

const nats = await testNats();
const stream = uniqueName('BENCH');
const subject = uniqueName('bench');
try {
  await nats.jsm.streams.add({ name: stream, subjects: [`${subject}.>`], max_bytes: 512 * 1024 * 1024 });
  const js: number[] = [];
  const core: number[] = [];
  for (let run = 0; run < 3; run++) {
    const data = batches(run * N);
    const s = await sink({ subject: `${subject}.{user_id}`, jetstream: true, msg_id: '{event_id}' });
    js.push(await timedWrites(s, data));
    await s.close();
    const c = await sink({ subject: `${uniqueName('core')}.{user_id}`, jetstream: false });
    core.push(await timedWrites(c, data));
    await c.close();
  }
  console.log(`sink publish, JetStream with acks and Nats-Msg-Id: ${fmt(median(js))} msgs/s (runs ${js.map(fmt).join(', ')})`);
  console.log(`sink publish, core NATS (flush per batch):        ${fmt(median(core))} msgs/s (runs ${core.map(fmt).join(', ')})`);

  const text = `
name: nats_bench
sources:
  s:
    nats_jetstream: { servers: ["${NATS_SERVER}"], stream: ${stream} }
sinks:
  out:
    input: s
    null: {}
`;
  const lookup = { get: (kind: string, name: string) => [natsJetStreamSourcePlugin, nullSinkPlugin].find((p) => p.kind === kind && p.name === name), names: () => [] };
  const compiled = compilePipeline({ file: 'bench.yaml', text, env: {}, plugins: lookup as never }).pipeline!;
  const source: number[] = [];
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    const r = await runJob(compiled, { checkpoint: { store: null }, maxEvents: N });
    if (r.recordsIn !== N) throw new Error(`read ${r.recordsIn} of ${N}`);
    source.push(N / ((performance.now() - t0) / 1000));
  }
  console.log(`source nats_jetstream → null sink (runJob):        ${fmt(median(source))} msgs/s (runs ${source.map(fmt).join(', ')})`);
} finally {
  await nats.cleanup([stream]);
}
