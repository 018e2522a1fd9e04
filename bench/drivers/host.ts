/**
 * The fallback driver: runs a compiled pipeline with no engine, one operator host per
 * operator, depth-first in one loop — poll a source, decode, assign event times, push the
 * batch through the operators to the sinks, then move watermarks (bounded out-of-orderness
 * per partition, min over inputs) in topological order. No queues, checkpoints or
 * telemetry: it measures the plugins and the operator host, a lower bound on the engine's
 * overhead. Used when `core/runtime/engine` does not export `runJob` (or BENCH_DRIVER=host).
 */
import { MAX_WATERMARK, services, systemClock } from '../../core/api/index.ts';
import type { Batch, Logger, Row, SinkInstance, SourceChunk, SourceInstance, StateBackend, StreamInfo } from '../../core/api/index.ts';
import { getCodec } from '../../core/runtime/codec/index.ts';
import { createExpressionCompiler } from '../../core/runtime/expr/index.ts';
import type { CompiledPipeline, CompiledSource, StreamRef } from '../../core/runtime/graph/types.ts';
import { OperatorHost } from '../../core/runtime/state/operator-host.ts';

export interface HostRunOptions {
  readonly backend: StateBackend;
  readonly batchSize?: number;
}

type Consumer = { kind: 'op'; op: OpEntry; input: number } | { kind: 'sink'; sink: SinkInstance };
interface OpEntry {
  readonly id: string;
  readonly host: OperatorHost;
  readonly inputs: readonly string[];
  readonly broadcast: ReadonlySet<number>;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const streamName = (ref: StreamRef) => (ref.output ? `${ref.node}.${ref.output}` : ref.node);

function eventTime(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
}

export async function runWithHosts(pipeline: CompiledPipeline, options: HostRunOptions): Promise<{ events: number; recordsOut: number }> {
  const expressions = createExpressionCompiler();
  const provided: Record<string, unknown> = { [services.clock.id]: systemClock, [services.logger.id]: silent, [services.stateBackend.id]: options.backend };
  const depsOf = (deps: Record<string, { id: string }> | undefined) => Object.fromEntries(Object.entries(deps ?? {}).map(([k, ref]) => [k, provided[ref.id]]));
  const infoOf = (ref: StreamRef): StreamInfo => {
    const src = pipeline.sources.find((s) => s.id === ref.node);
    if (src) return src.streams[ref.output ?? '']!;
    const op = pipeline.operators.find((o) => o.id === ref.node)!;
    return ref.output ? op.plan.outputs![ref.output]! : op.plan.output;
  };

  const consumers = new Map<string, Consumer[]>();
  const consume = (stream: string, c: Consumer) => consumers.set(stream, [...(consumers.get(stream) ?? []), c]);
  const ops: OpEntry[] = pipeline.operators.map((op) => {
    const host = new OperatorHost({
      definition: op.plugin as never, config: op.config, id: op.id, backend: options.backend, expressions,
      inputs: op.inputs.map(infoOf), clock: systemClock, deps: depsOf(op.plugin.deps), plan: op.plan,
    });
    const entry = { id: op.id, host, inputs: op.inputs.map(streamName), broadcast: new Set(op.plan.broadcastInputs ?? []) };
    op.inputs.forEach((ref, input) => consume(streamName(ref), { kind: 'op', op: entry, input }));
    return entry;
  });
  const sinks: SinkInstance[] = [];
  for (const s of pipeline.sinks) {
    const sink = await s.plugin.create({ id: s.id, job: pipeline.name, config: s.config, deps: depsOf(s.plugin.deps), logger: silent, input: { changelog: s.changelog }, expressions, codec: s.codec } as never);
    await sink.open(undefined);
    sinks.push(sink);
    if (s.input) consume(streamName(s.input), { kind: 'sink', sink });
  }

  let recordsOut = 0;
  const watermarks = new Map<string, number>();
  async function deliver(stream: string, batch: Batch): Promise<void> {
    for (const c of consumers.get(stream) ?? []) {
      if (c.kind === 'sink') {
        await c.sink.write(batch);
        recordsOut += batch.length;
      } else {
        c.op.host.processBatch(batch, c.input);
        await flush(c.op);
      }
    }
  }
  async function flush(op: OpEntry): Promise<void> {
    const out = op.host.take();
    if (out.main.length) await deliver(op.id, out.main);
    for (const [name, batch] of Object.entries(out.named)) await deliver(`${op.id}.${name}`, batch);
  }
  async function propagate(): Promise<void> {
    for (const op of ops) {
      let w = MAX_WATERMARK;
      op.inputs.forEach((s, i) => op.broadcast.has(i) || (w = Math.min(w, watermarks.get(s) ?? Number.NEGATIVE_INFINITY)));
      if (op.host.advanceWatermark(w)) await flush(op);
      watermarks.set(op.id, op.host.watermark);
      for (const name of Object.keys(op.host.plan.outputs ?? {})) watermarks.set(`${op.id}.${name}`, op.host.watermark);
    }
  }

  let events = 0;
  const batchSize = options.batchSize ?? 1024;
  const running = await Promise.all(pipeline.sources.map(async (s) => {
    const instance = await s.plugin.create({ id: s.id, job: pipeline.name, config: s.config, deps: depsOf(s.plugin.deps), logger: silent });
    await instance.open(undefined);
    return { source: s, instance, maxTs: new Map<string, number>() };
  }));
  let active = running;
  while (active.length > 0) {
    for (const r of active) {
      const chunks = await r.instance.poll(batchSize);
      if (chunks === null) {
        active = active.filter((a) => a !== r);
        continue;
      }
      for (const chunk of chunks) events += await admit(r.source, chunk, r.maxTs, deliver);
      for (const output of r.source.outputs) {
        let w = MAX_WATERMARK;
        for (const [key, max] of r.maxTs) if (key.startsWith(`${output}\u0000`)) w = Math.min(w, max - r.source.eventTime.maxOutOfOrderness - 1);
        if (w !== MAX_WATERMARK) watermarks.set(output ? `${r.source.id}.${output}` : r.source.id, w);
      }
      await propagate();
    }
  }
  for (const s of pipeline.sources) for (const o of s.outputs) watermarks.set(o ? `${s.id}.${o}` : s.id, MAX_WATERMARK);
  await propagate();
  for (const r of running) await r.instance.close();
  for (const op of ops) await op.host.close();
  for (const sink of sinks) await sink.close();
  return { events, recordsOut };
}

/** Decodes a chunk, stamps event times and delivers it to the source's stream; returns its size. */
async function admit(source: CompiledSource, chunk: SourceChunk, maxTs: Map<string, number>, deliver: (stream: string, batch: Batch) => Promise<void>): Promise<number> {
  let values = chunk.values as Row[] | undefined;
  if (!values) values = getCodec(source.codec).decode(chunk.payloads ?? []).rows.filter((r): r is Row => r !== undefined);
  const field = source.eventTime.field;
  const times = new Array<number>(values.length);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const t = field ? eventTime(values[i]![field]) : chunk.times?.[i] ?? systemClock.now();
    times[i] = t;
    if (t > max) max = t;
  }
  const key = `${chunk.output ?? ''}\u0000${chunk.partition}`;
  maxTs.set(key, Math.max(maxTs.get(key) ?? Number.NEGATIVE_INFINITY, max));
  await deliver(chunk.output ? `${source.id}.${chunk.output}` : source.id, { length: values.length, values, times });
  return values.length;
}
