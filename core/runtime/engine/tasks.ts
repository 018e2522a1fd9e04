/**
 * Builds the tasks of one job attempt from the compiled pipeline: plugin instances
 * (created, not yet opened), the queues between them, and the lifecycle list the attempt
 * opens in topological order (sources, operators, sinks, late, dead letter) and closes in
 * reverse.
 */
import type { SinkInstance, SourceInstance } from '../../api/index.ts';
import type { EngineMetrics } from '../../telemetry/index.ts';
import type { Lifecycle } from '../plugins/lifecycle.ts';
import type { OperatorHost } from '../state/index.ts';
import type { EventBudget } from './budget.ts';
import type { StageKind, StageRef } from './errors.ts';
import { createOperatorHost, createSink, createSource } from './instantiate.ts';
import { OperatorTask } from './operator-task.ts';
import type { EngineSettings } from './settings.ts';
import { SinkTask } from './sink-task.ts';
import { SourceTask } from './source-task.ts';
import { UnconfiguredOutput } from './unconfigured-output.ts';
import type { Wiring } from './wiring.ts';
import { streamKey } from './wiring.ts';
import type { Outlet } from './flow.ts';
import { AlignmentGroup } from './watermark-alignment.ts';
import { newestReadOf, upstreamSources } from './upstream.ts';

export interface JobTasks {
  readonly sources: SourceTask[];
  readonly operators: { task: OperatorTask; host: OperatorHost }[];
  /** Main sinks. */
  readonly sinks: SinkTask[];
  readonly late: SinkTask;
  readonly deadLetter: SinkTask;
  /** Open order; closed in reverse. `open` takes the restored position. */
  readonly lifecycles: (Lifecycle & { position: unknown })[];
}

export interface TaskContext {
  readonly s: EngineSettings;
  readonly wiring: Wiring;
  readonly metrics: EngineMetrics;
  readonly budget: EventBudget;
  readonly aborted: () => boolean;
  readonly abortSignal: AbortSignal;
  /** Restored positions by block id. */
  readonly sourcePositions: Readonly<Record<string, unknown>>;
  readonly sinkPositions: Readonly<Record<string, unknown>>;
}

function lifecycle(stage: StageRef, open: (p: unknown) => Promise<void>, close: () => Promise<void> | void, position: unknown): Lifecycle & { position: unknown } {
  const l = stage.location;
  return {
    id: stage.id,
    kind: stage.kind,
    ...(l ? { location: { file: l.file, line: l.line, col: l.col, path: l.configPath } } : {}),
    position,
    open: () => open(position),
    close: async () => {
      await close();
    },
  };
}

export async function buildTasks(c: TaskContext): Promise<JobTasks> {
  const { s, wiring, metrics } = c;
  const p = s.pipeline;
  const tracer = s.telemetry.batchTracing ? s.telemetry.tracer : undefined;
  const sourceInstances: SourceInstance[] = [];
  for (const src of p.sources) sourceInstances.push(await createSource(s, src));
  const hosts = p.operators.map((op) => createOperatorHost(s, p, op));
  const sinkInstances: SinkInstance[] = [];
  for (const k of p.sinks) sinkInstances.push(await createSink(s, k, 'sink'));
  const lateInstance = p.late ? await createSink(s, p.late, 'late') : (s.overrides.late?.() ?? new UnconfiguredOutput('late', s.logger));
  const deadInstance = p.deadLetter ? await createSink(s, p.deadLetter, 'deadLetter') : (s.overrides.deadLetter?.() ?? new UnconfiguredOutput('dead_letter', s.logger));

  // Aligned sources naming one group share its minimum watermark (with a job's other tasks: `alignmentGroup`).
  const groups = new Map<string, AlignmentGroup>();
  const sources = p.sources.map((src, i) => {
    const align = src.eventTime.alignment;
    let alignmentGroup: AlignmentGroup | undefined;
    if (align) {
      alignmentGroup = groups.get(align.group);
      if (!alignmentGroup) groups.set(align.group, (alignmentGroup = s.alignmentGroup?.(align.group) ?? new AlignmentGroup()));
    }
    const outlets = new Map<string, Outlet>();
    for (const out of src.outputs) outlets.set(out, wiring.outlets.get(streamKey(out ? { node: src.id, output: out } : { node: src.id }))!);
    return new SourceTask({
      compiled: src,
      instance: sourceInstances[i]!,
      outlets,
      deadLetter: wiring.deadLetter.outlet,
      clock: s.clock,
      batchSize: s.batchSize,
      idlePollMs: s.idlePollMs,
      ...(s.logicalStep ? { onIdlePoll: () => s.logicalStep!(s.logicalStepMs) } : {}),
      budget: c.budget,
      metrics: metrics.stage(src.id, src.plugin.name),
      tracer,
      aborted: c.aborted,
      ...(alignmentGroup ? { alignmentGroup } : {}),
    });
  });
  const upstream = upstreamSources(p);
  const newestRead = (id: string) => newestReadOf(sources.filter((t) => upstream.get(id)?.includes(t.id)));
  const operators = p.operators.map((op, i) => {
    const inbox = wiring.inboxes.get(op.id)!;
    const named = new Map<string, Outlet>();
    for (const name of Object.keys(op.plan.outputs ?? {})) named.set(name, wiring.outlets.get(`${op.id}.${name}`)!);
    const host = hosts[i]!;
    const task = new OperatorTask({
      compiled: op,
      host,
      inputs: inbox.queues,
      signal: inbox.signal,
      main: wiring.outlets.get(op.id)!,
      named,
      late: wiring.late.outlet,
      deadLetter: wiring.deadLetter.outlet,
      flow: wiring.flow,
      clock: s.clock,
      backend: s.backend,
      metrics: metrics.stage(op.id, op.plugin.name),
      tracer,
      newestRead: newestRead(op.id),
      aborted: c.aborted,
      stallMs: s.stallMs,
      onStall: s.setStalled,
      miniBatch: s.miniBatch,
    });
    return { task, host };
  });
  const sinkTask = (kind: StageKind, id: string, plugin: string, instance: SinkInstance, inbox: Wiring['late']['inbox'], location: StageRef['location'], dead: boolean, tallyStreams = false) =>
    new SinkTask({
      stage: { kind, id, plugin, ...(location ? { location } : {}) },
      instance,
      queue: inbox.queues[0]!,
      signal: inbox.signal,
      deadLetter: dead ? wiring.deadLetter.outlet : undefined,
      tallyStreams,
      flow: wiring.flow,
      metrics: metrics.stage(id, plugin),
      tracer,
      ...(upstream.has(id) ? { newestRead: newestRead(id) } : {}),
      clock: s.clock,
      retry: s.sinkRetry,
      logger: s.logger,
      aborted: c.aborted,
      abortSignal: c.abortSignal,
    });
  const sinks = p.sinks.filter((k) => k.input).map((k) => sinkTask('sink', k.id, k.plugin.name, sinkInstances[p.sinks.indexOf(k)]!, wiring.inboxes.get(k.id)!, k.location, true));
  const late = sinkTask('late output', p.late?.id ?? 'late', p.late?.plugin.name ?? 'unconfigured', lateInstance, wiring.late.inbox, p.late?.location, true, true);
  const deadLetter = sinkTask('dead-letter output', p.deadLetter?.id ?? 'dead_letter', p.deadLetter?.plugin.name ?? 'unconfigured', deadInstance, wiring.deadLetter.inbox, p.deadLetter?.location, false, true);

  const lifecycles = [
    ...sources.map((t, i) => lifecycle(t.stage, (pos) => sourceInstances[i]!.open(pos), () => sourceInstances[i]!.close(), c.sourcePositions[t.id])),
    ...operators.map(({ task, host }) => lifecycle(task.stage, () => Promise.resolve(), () => host.close(), undefined)),
    ...sinks.map((t) => lifecycle(t.stage, (pos) => sinkInstances[p.sinks.findIndex((k) => k.id === t.id)]!.open(pos), () => sinkInstances[p.sinks.findIndex((k) => k.id === t.id)]!.close(), c.sinkPositions[t.id])),
    lifecycle(late.stage, (pos) => lateInstance.open(pos), () => lateInstance.close(), c.sinkPositions[late.id]),
    lifecycle(deadLetter.stage, (pos) => deadInstance.open(pos), () => deadInstance.close(), c.sinkPositions[deadLetter.id]),
  ];
  return { sources, operators, sinks, late, deadLetter, lifecycles };
}
