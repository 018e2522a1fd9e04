/**
 * Stages of a job run as tasks (docs/architecture.md §5): the compiled pipeline cut at its
 * `repartition` operators. What consumes a repartition R's output, transitively, is in R's
 * stage; an operator reading several repartitions merges their stages (co-partitioned
 * inputs); what no repartition precedes is the first stage. A source is read by every stage
 * that uses it (a broadcast input before and after a cut). R becomes, in the stage it reads
 * from, a runtime-internal sink with R's id writing the internal topic
 * `sluice.<job>.<R>.repartition` exactly once, keyed by R's key, with in-band watermarks;
 * and, in its own stage, a runtime-internal source with R's id reading partition p of that
 * topic, whose stream is R's output stream, so the operators after R are unchanged. Both
 * come from the plugins (the partitioned source's `repartitionInput` and the paired sink's
 * `repartitionOutput`, core/api/tasks.ts: the `kafka` ones). Its
 * watermark is only the explicit one from the upstream tasks (no out-of-orderness, no
 * idleness).
 *
 * Every stage has the job's partition count P, so task p of every stage runs in the
 * process that owns index p. A stage is named after its first repartition operator (the
 * first stage: ''); its tasks are `<stage>.task-<p>`, which names their checkpoints
 * (`<job>.<stage>.task-<p>`), consumer groups and transactional ids.
 */
import { APPEND_ONLY, SluiceError } from '../../api/index.ts';
import type { InternalBlock, SinkDefinition, SourceDefinition, TaskSlice } from '../../api/index.ts';
import type { CompiledOperator, CompiledPipeline, CompiledSink, CompiledSource } from '../graph/types.ts';

export interface Stage {
  /** '' for the first stage, else the id of the `repartition` operator it starts at. */
  readonly name: string;
  readonly pipeline: CompiledPipeline;
}

export interface StageOptions {
  /** The job's partition count P: every internal topic has P partitions. */
  readonly partitions: number;
  /** The source block that reads a repartition topic, partition p for task p (the partitioned source's `repartitionInput`). */
  readonly input: (topic: string) => InternalBlock<SourceDefinition>;
  /** The sink block that writes one, keyed by `key`; `leader`: the stage's first output (the paired sink's `repartitionOutput`). */
  readonly output: (topic: string, key: readonly string[], leader: boolean) => InternalBlock<SinkDefinition>;
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
  const reps = p.operators.filter((op) => op.plugin.name === REPARTITION);
  for (const r of reps) {
    const wanted = (r.config as { partitions?: number }).partitions;
    if (wanted !== undefined && wanted !== o.partitions) {
      throw new SluiceError('E_TASKS', `repartition '${r.id}' asks for ${wanted} partitions, but the job runs as ${o.partitions} tasks (one per partition of its kafka topics); every stage has that many`);
    }
    if (r.plan.output.changelog.mode !== 'append') throw new SluiceError('E_TASKS', `repartition '${r.id}' cuts an upsert stream; only append-only streams can cross a repartition topic`);
  }
  if (reps.length === 0) return [{ name: '', pipeline: p }];
  const g = assignStages(p, reps);
  const stages: Stage[] = [];
  // One transactional producer per stage task: the stage's first output leads (exactly-once.ts sees it alone).
  for (const root of g.roots) {
    const operators = p.operators.filter((op) => !g.isRep(op.id) && g.stageOf(op.id) === root);
    const inputs = reps.filter((r) => g.find(r.id) === root);
    const outputs = reps.filter((r) => g.stageOf(r.id) === root);
    const sinks = p.sinks.filter((k) => k.input && g.sinkStage(k.input.node) === root);
    // What the stage's operators, sinks and repartition outputs read (a repartition may read a source directly).
    const read = new Set([...operators.flatMap((op) => op.inputs.map((i) => i.node)), ...sinks.map((k) => k.input!.node), ...outputs.map((r) => r.inputs[0]!.node)]);
    const sources = p.sources.filter((src) => read.has(src.id));
    if (sources.length + inputs.length === 0) continue;
    stages.push({
      name: root,
      pipeline: {
        ...p,
        sources: [...inputs.map((r) => inputOf(p, r, o)), ...sources],
        operators,
        sinks: [...sinks, ...outputs.map((r, i) => outputOf(p, r, o, i === 0))],
      },
    });
  }
  return stages;
}

/**
 * Which stage each operator belongs to: a stage per repartition operator R (what reads R's
 * output) and the first one (''), merged where an operator reads several (the inputs of a
 * co-partitioned operator after two repartitions). Sources belong to no stage: a stage reads
 * every source it uses (a broadcast input read before and after a repartition is read by
 * both stages). A stage named after its first repartition; a repartition merged into its own
 * upstream stage is a stream that bypasses it, refused.
 */
function assignStages(p: CompiledPipeline, reps: readonly CompiledOperator[]) {
  const order = ['', ...reps.map((r) => r.id)];
  const rank = new Map(order.map((k, i) => [k, i]));
  const parent = new Map(order.map((k) => [k, k]));
  const find = (k: string): string => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const union = (a: string, b: string): void => {
    const [ra, rb] = [find(a), find(b)];
    if (ra === rb) return;
    if (rank.get(ra)! < rank.get(rb)!) parent.set(rb, ra);
    else parent.set(ra, rb);
  };
  const isRep = (id: string) => rank.has(id) && id !== '';
  const sources = new Set(p.sources.map((s) => s.id));
  const own = new Map<string, string>();
  /** The stage a node's output stream is in; undefined for a source. */
  const outStage = (node: string) => (isRep(node) ? node : sources.has(node) ? undefined : own.get(node));
  for (const op of p.operators) {
    const ins = op.inputs.map((i) => outStage(i.node)).filter((s): s is string => s !== undefined);
    const s = ins[0] ?? '';
    for (const x of ins.slice(1)) union(s, x);
    own.set(op.id, s);
  }
  for (const r of reps) {
    if (find(own.get(r.id)!) === find(r.id)) throw new SluiceError('E_TASKS', `repartition '${r.id}' does not cut the pipeline: a stream from before it reaches an operator after it without crossing it (or another repartition)`);
  }
  const stageOf = (id: string) => find(own.get(id)!);
  /** A sink goes with its input; a sink of a source's stream, with the first stage reading it (else the first stage). */
  const sinkStage = (node: string): string => {
    if (isRep(node)) return find(node);
    if (!sources.has(node)) return stageOf(node);
    const reader = p.operators.find((op) => !isRep(op.id) && op.inputs.some((i) => i.node === node));
    return reader ? stageOf(reader.id) : find('');
  };
  const roots = [...new Set(order.map(find))];
  return { roots, find, isRep, stageOf, sinkStage };
}

function outputOf(p: CompiledPipeline, r: CompiledOperator, o: StageOptions, leader: boolean): CompiledSink {
  const { plugin, config } = o.output(repartitionTopic(p.name, r.id), r.plan.output.key ?? [], leader);
  return { id: r.id, plugin, config, input: r.inputs[0]!, changelog: APPEND_ONLY, codec: 'json', location: r.location };
}

function inputOf(p: CompiledPipeline, r: CompiledOperator, o: StageOptions): CompiledSource {
  const { plugin, config } = o.input(repartitionTopic(p.name, r.id));
  return {
    id: r.id, plugin, config, outputs: [''], streams: { '': r.plan.output }, codec: 'json', location: r.location,
    // Only the upstream tasks' watermarks (explicit): no out-of-orderness, no idleness.
    eventTime: { maxOutOfOrderness: Number.POSITIVE_INFINITY },
  };
}
