/**
 * Traces an operator can follow, through Jaeger's real query API after a production-profile
 * run (real Kafka, NATS KV, HBase REST, Jaeger from scripts/services): the traffic is
 * produced by pipelines/produce_traffic.yaml with tracing on, the flagship job runs through
 * the CLI with NODE_ENV=production and every batch sampled, then:
 *
 * - a sampled batch's trace holds its source poll, every operator on its path (each a
 *   child of the one before, along the pipeline's edges) and the sink write;
 * - a consumer poll span links (Jaeger: a FOLLOWS_FROM reference) to the producer span whose
 *   `traceparent` a record it read carries — Kafka (`_meta` off, as the profile has it) and
 *   NATS (the metadata bucket).
 *
 * Both runs carry `OTEL_RESOURCE_ATTRIBUTES=sluice.deployment=<id>`, so the queries find
 * this test's spans only (Jaeger's `tags` filter matches process tags).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { compilePipeline } from '../../core/runtime/graph/index.ts';
import type { CompiledPipeline } from '../../core/runtime/graph/index.ts';
import { registryForPipelines } from '../../core/runtime/plugins/index.ts';
import { parseTraceparent } from '../../core/telemetry/index.ts';
import { REPO } from '../cli/sluice.ts';
import { cleanup, readAll } from './kafka-helpers.ts';
import { dropTables } from './hbase-helpers.ts';
import { deployment, produce, recordsToRead, startJob, until } from './flagship-production.ts';

const QUERY = process.env['SLUICE_JAEGER_QUERY'] ?? 'http://127.0.0.1:16686';
const EVENTS = 1500;

interface Ref { readonly refType: string; readonly traceID: string; readonly spanID: string }
interface JSpan { readonly traceID: string; readonly spanID: string; readonly operationName: string; readonly references: readonly Ref[]; readonly processID: string }
interface JTrace { readonly traceID: string; readonly spans: readonly JSpan[]; readonly processes: Record<string, { serviceName: string }> }

const d = deployment('trace_paths');
const tag = { 'sluice.deployment': d.id };
Object.assign(d.env, { OTEL_RESOURCE_ATTRIBUTES: `sluice.deployment=${d.id}`, SLUICE_TRACING_EXPORTER: 'otlp', SLUICE_TRACING_SAMPLE_RATIO: '1' });

after(async () => {
  await cleanup(...Object.values(d.topics));
  await dropTables(Object.values(d.tables));
  rmSync(d.dir, { recursive: true, force: true });
});

async function traces(service: string, operation: string, limit = 200): Promise<JTrace[]> {
  const url = `${QUERY}/api/traces?service=${service}&operation=${encodeURIComponent(operation)}&tags=${encodeURIComponent(JSON.stringify(tag))}&lookback=1h&limit=${limit}`;
  const res = await fetch(url);
  if (res.status === 404) return [];
  assert.equal(res.status, 200, `${url} answered ${res.status}`);
  return ((await res.json()) as { data: JTrace[] | null }).data ?? [];
}

async function traceById(id: string): Promise<JTrace | undefined> {
  const res = await fetch(`${QUERY}/api/traces/${id}`);
  if (res.status !== 200) return undefined;
  return ((await res.json()) as { data: JTrace[] }).data[0];
}

/** The block id a span is about (`source a poll`, `operator b`, `operator b flush`, `sink c write`). */
function blockOf(name: string): string {
  return name.split(' ')[1]!;
}

/** The span's ancestors in its trace, root first, then the span. */
function chain(t: JTrace, span: JSpan): JSpan[] {
  const byId = new Map(t.spans.map((s) => [s.spanID, s]));
  const out = [span];
  for (let s = span; ; ) {
    const parent = s.references.find((r) => r.refType === 'CHILD_OF');
    const p = parent && byId.get(parent.spanID);
    if (!p) return out.reverse();
    out.push(p);
    s = p;
  }
}

/** True when each block of the chain reads the one before it (an edge of the pipeline). */
function followsEdges(p: CompiledPipeline, blocks: readonly string[]): boolean {
  const inputs = new Map<string, string[]>([
    ...p.operators.map((o) => [o.id, o.inputs.map((r) => r.node)] as [string, string[]]),
    ...p.sinks.map((k) => [k.id, k.input ? [k.input.node] : []] as [string, string[]]),
  ]);
  for (let i = 1; i < blocks.length; i++) if (!inputs.get(blocks[i]!)?.includes(blocks[i - 1]!)) return false;
  return true;
}

/** Producer span ids named by `traceparent` values, as `traceId/spanId`. */
function producerSpans(values: Iterable<string | undefined>): Set<string> {
  const out = new Set<string>();
  for (const v of values) {
    const sc = v ? parseTraceparent(v) : undefined;
    if (sc) out.add(`${sc.traceId}/${sc.spanId}`);
  }
  return out;
}

/** A poll span of `source` linked to one of `producers`, and the producer span it names. */
async function linkedPoll(source: string, producers: Set<string>): Promise<{ poll: JSpan; producer: JSpan; service: string }> {
  return until(`a '${source}' poll linked to a producer span in Jaeger`, 60_000, async () => {
    for (const t of await traces('experiment_analytics', `source ${source} poll`)) {
      for (const s of t.spans) {
        if (s.operationName !== `source ${source} poll`) continue;
        const link = s.references.find((r) => r.refType === 'FOLLOWS_FROM' && producers.has(`${r.traceID}/${r.spanID}`));
        if (!link) continue;
        const pt = await traceById(link.traceID);
        const producer = pt?.spans.find((x) => x.spanID === link.spanID);
        if (producer) return { poll: s, producer, service: pt!.processes[producer.processID]!.serviceName };
      }
    }
    return undefined;
  }, 1000);
}

void test('production profile in Jaeger: a batch\'s trace holds its path from poll to sink; polls link to the Kafka and NATS producers', { timeout: 600_000 }, async (t) => {
  await produce(d, EVENTS, 0, 3);
  const total = recordsToRead(EVENTS, 0, 3).total;
  const job = await startJob(d, ['--events', String(total), '--set', 'checkpoint.interval=2s'], { OTEL_RESOURCE_ATTRIBUTES: `sluice.deployment=${d.id}` });
  try {
    assert.equal(await job.exited, 0, job.output().slice(-4000));
  } finally {
    job.child.kill('SIGKILL');
  }
  const file = join(REPO, 'pipelines/experiment_analytics.yaml');
  // The built-ins and the flagship's package (sluice-experiment-analytics), as `sluice run` loads them.
  const { registry } = await registryForPipelines([file], { cwd: REPO, env: d.env });
  const p = compilePipeline({ file, text: readFileSync(file, 'utf8'), env: d.env, profile: 'production', plugins: registry } as never).pipeline!;

  // --- one trace per batch's path: poll → operators → sink write, each the child of the one before
  const path = await until('a trace from a poll through three operators to a sink write', 60_000, async () => {
    let best: string[] | undefined;
    for (const tr of await traces('experiment_analytics', 'sink counts_store write', 100)) {
      for (const w of tr.spans.filter((s) => s.operationName === 'sink counts_store write')) {
        const spans = chain(tr, w);
        assert.ok(spans.every((s) => s.traceID === tr.traceID));
        if (!spans[0]!.operationName.startsWith('source ')) continue;
        // A mini-batch flush is its operator's own span's child: one block.
        const blocks = spans.map((s) => blockOf(s.operationName)).filter((b, i, all) => i === 0 || all[i - 1] !== b);
        assert.ok(followsEdges(p, blocks), `the path follows the pipeline's edges: ${blocks.join(' → ')}`);
        if (!best || blocks.length > best.length) best = blocks;
      }
    }
    return best && best.length >= 5 ? best : undefined;
  }, 1000);
  t.diagnostic(`one trace: ${path.join(' → ')}`);

  // --- Kafka: the producer's traceparent headers, read back from the topic
  const kafkaProducers = producerSpans((await readAll(d.topics.actions)).map((m) => m.headers?.['traceparent']));
  assert.ok(kafkaProducers.size > 0, 'produce_traffic wrote traceparent headers');
  const kafka = await linkedPoll('traffic.actions', kafkaProducers);
  assert.equal(kafka.service, 'produce_traffic');
  assert.equal(kafka.producer.operationName, 'sink actions write');
  t.diagnostic(`Kafka: ${kafka.poll.operationName} (trace ${kafka.poll.traceID}) links to ${kafka.service} '${kafka.producer.operationName}' (trace ${kafka.producer.traceID})`);

  // --- NATS: the traceparent headers of the bucket's messages
  const nc = await connect({ servers: '127.0.0.1:4222' });
  const natsValues: string[] = [];
  try {
    const jsm = await jetstreamManager(nc);
    const stream = `KV_${d.bucket}`;
    const last = (await jsm.streams.info(stream)).state.last_seq;
    for (let seq = 1; seq <= last; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      const v = m?.header?.get('traceparent');
      if (v) natsValues.push(v);
    }
  } finally {
    await nc.close();
  }
  const natsProducers = producerSpans(natsValues);
  assert.ok(natsProducers.size > 0, 'produce_traffic wrote traceparent headers to the bucket');
  const nats = await linkedPoll('traffic.metadata', natsProducers);
  assert.equal(nats.service, 'produce_traffic');
  assert.equal(nats.producer.operationName, 'sink metadata_kv write');
  t.diagnostic(`NATS: ${nats.poll.operationName} (trace ${nats.poll.traceID}) links to ${nats.service} '${nats.producer.operationName}' (trace ${nats.producer.traceID})`);
});
