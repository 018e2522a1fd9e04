/**
 * Stages of a job run as tasks (docs/architecture.md §5): the compiled pipeline cut at its
 * `repartition` operators. For an operator R, the downstream stage is everything that
 * consumes R's output, transitively (with the sources only it reads, such as a broadcast
 * input); the upstream stage is the rest. R becomes, upstream, a runtime-internal sink
 * with R's id writing the internal topic `sluice.<job>.<R>.repartition` exactly once, keyed
 * by R's key, with in-band watermarks (plugins/sink-kafka/repartition-output.ts); and,
 * downstream, a runtime-internal source with R's id reading partition p of that topic, whose
 * stream is R's output stream (plugins/source-kafka/repartition-input.ts), so the operators
 * after R are unchanged. Its watermark is only the explicit one from the upstream tasks (no
 * out-of-orderness, no idleness). Stages are cut again while one holds a repartition.
 *
 * Every stage has the job's partition count P, so task p of every stage runs in the
 * process that owns index p. A stage is named after the operator that starts it (the first
 * stage: ''); its tasks are `<stage>.task-<p>`, which names their checkpoints
 * (`<job>.<stage>.task-<p>`), consumer groups and transactional ids.
 */
import { APPEND_ONLY, SluiceError } from '../../api/index.ts';
import type { SourceDefinition, TaskSlice } from '../../api/index.ts';
import type { CompiledOperator, CompiledPipeline, CompiledSink, CompiledSource } from '../graph/types.ts';
import { repartitionSinkDefinition } from '../../../plugins/sink-kafka/repartition-sink.ts';
import type { RepartitionSinkConfig } from '../../../plugins/sink-kafka/repartition-sink.ts';
import type { KafkaSinkConfig } from '../../../plugins/sink-kafka/spec.ts';
import { repartitionSourceDefinition } from '../../../plugins/source-kafka/repartition-source.ts';
import type { RepartitionSourceConfig } from '../../../plugins/source-kafka/repartition-source.ts';
import type { KafkaSourceConfig } from '../../../plugins/source-kafka/spec.ts';

export interface Stage {
  /** '' for the first stage, else the id of the `repartition` operator it starts at. */
  readonly name: string;
  readonly pipeline: CompiledPipeline;
}

export interface StageOptions {
  /** The job's partition count P: every internal topic has P partitions. */
  readonly partitions: number;
  /** Where the internal topics live: the first `kafka` source's cluster (its connection fields are used). */
  readonly connection: KafkaSourceConfig;
  /** Group session timeout of the internal topics' readers, ms. */
  readonly sessionTimeoutMs: number;
}

export const REPARTITION = 'repartition';

export function repartitionTopic(job: string, operator: string): string {
  return `sluice.${job}.${operator}.repartition`;
}

/** Task p of a stage: `task-<p>` for the first stage, `<stage>.task-<p>` for the others. */
export function stageTask(stage: string, index: number, count: number): TaskSlice {
  return { id: stage ? `${stage}.task-${index}` : `task-${index}`, index, count };
}

/** The internal topics of a pipeline: one per `repartition` operator. */
export function repartitionTopics(p: CompiledPipeline): string[] {
  return p.operators.filter((op) => op.plugin.name === REPARTITION).map((op) => repartitionTopic(p.name, op.id));
}

export function splitStages(p: CompiledPipeline, o: StageOptions): Stage[] {
  for (const op of p.operators) {
    const wanted = (op.config as { partitions?: number }).partitions;
    if (op.plugin.name === REPARTITION && wanted !== undefined && wanted !== o.partitions) {
      throw new SluiceError('E_TASKS', `repartition '${op.id}' asks for ${wanted} partitions, but the job runs as ${o.partitions} tasks (one per partition of its kafka topics); every stage has that many`);
    }
  }
  return cut(p, '', o);
}

function cut(p: CompiledPipeline, name: string, o: StageOptions): Stage[] {
  const r = p.operators.find((op) => op.plugin.name === REPARTITION);
  if (!r) return [{ name, pipeline: p }];
  if (r.plan.output.changelog.mode !== 'append') {
    throw new SluiceError('E_TASKS', `repartition '${r.id}' cuts an upsert stream; only append-only streams can cross a repartition topic`);
  }
  // Operators downstream of r (topological order: one pass finds them all).
  const down = new Set<string>();
  for (const op of p.operators) if (op.inputs.some((i) => i.node === r.id || down.has(i.node))) down.add(op.id);
  // Sources read only downstream go along (a broadcast input of a downstream join).
  const readers = (id: string) => p.operators.filter((op) => op.inputs.some((i) => i.node === id));
  const downSources = new Set(p.sources.filter((s) => { const rs = readers(s.id); return rs.length > 0 && rs.every((op) => down.has(op.id)); }).map((s) => s.id));
  for (const op of p.operators) {
    if (!down.has(op.id)) continue;
    const across = op.inputs.find((i) => i.node !== r.id && !down.has(i.node) && !downSources.has(i.node));
    if (across) throw new SluiceError('E_TASKS', `operator '${op.id}' reads '${across.node}', which is upstream of repartition '${r.id}', without crossing it: a stage boundary cannot be cut there`);
  }
  const isDown = (node: string) => node === r.id || down.has(node) || downSources.has(node);
  const upstream: CompiledPipeline = {
    ...p,
    sources: p.sources.filter((s) => !downSources.has(s.id)),
    operators: p.operators.filter((op) => op !== r && !down.has(op.id)),
    sinks: [...p.sinks.filter((k) => !k.input || !isDown(k.input.node)), outputOf(p, r, o)],
  };
  const downstream: CompiledPipeline = {
    ...p,
    sources: [inputOf(p, r, o), ...p.sources.filter((s) => downSources.has(s.id))],
    operators: p.operators.filter((op) => down.has(op.id)),
    sinks: p.sinks.filter((k) => k.input && isDown(k.input.node)),
  };
  return [...cut(upstream, name, o), ...cut(downstream, r.id, o)];
}

/** The connection fields of a `kafka` source config (the client id is left to its default). */
function connectionOf(c: KafkaSourceConfig) {
  const { brokers, sasl, tls, connection_timeout, request_timeout } = c;
  return { brokers, connection_timeout, request_timeout, ...(sasl ? { sasl } : {}), ...(tls ? { tls } : {}) };
}

function outputOf(p: CompiledPipeline, r: CompiledOperator, o: StageOptions): CompiledSink {
  const topic: KafkaSinkConfig = {
    ...connectionOf(o.connection), topic: repartitionTopic(p.name, r.id), acks: 'all', idempotent: true, compression: 'none', batch_size: 10_000, ack_timeout: 30_000,
    exactly_once: true, transaction_timeout: 120_000, max_held_bytes: 16_777_216, change_field: 'op',
  };
  const config: RepartitionSinkConfig = { topic, key: r.plan.output.key ?? [], partitions: o.partitions };
  return { id: r.id, plugin: repartitionSinkDefinition, config, input: r.inputs[0]!, changelog: APPEND_ONLY, codec: 'json', location: r.location };
}

function inputOf(p: CompiledPipeline, r: CompiledOperator, o: StageOptions): CompiledSource {
  const topic: KafkaSourceConfig = {
    ...connectionOf(o.connection), topic: repartitionTopic(p.name, r.id), start: 'earliest', max_buffered: 10_000, max_bytes_per_partition: 1_048_576, max_bytes: 10_485_760,
    session_timeout: o.sessionTimeoutMs, join_timeout: 60_000, meta: false,
  };
  const config: RepartitionSourceConfig = { topic, upstreamTasks: o.partitions };
  return {
    id: r.id, plugin: repartitionSourceDefinition as unknown as SourceDefinition, config, outputs: [''], streams: { '': r.plan.output }, codec: 'json', location: r.location,
    // Only the upstream tasks' watermarks (explicit): no out-of-orderness, no idleness.
    eventTime: { maxOutOfOrderness: Number.POSITIVE_INFINITY },
  };
}
