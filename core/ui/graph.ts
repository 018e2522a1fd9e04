/** The job graph the page lays out: sources, operators, sinks, and the late and dead-letter outputs. */
import type { CompiledPipeline, StreamRef } from '../runtime/graph/types.ts';
import type { UiEdge, UiNode } from './types.ts';

const edge = (ref: StreamRef, to: string): UiEdge => (ref.output ? { from: ref.node, to, output: ref.output } : { from: ref.node, to });

export function jobGraph(pipeline: CompiledPipeline): { nodes: UiNode[]; edges: UiEdge[] } {
  const nodes: UiNode[] = [
    ...pipeline.sources.map((s) => ({ id: s.id, kind: 'source' as const, plugin: s.plugin.name })),
    ...pipeline.operators.map((o) => ({ id: o.id, kind: 'operator' as const, plugin: o.plugin.name })),
    ...pipeline.sinks.map((s) => ({ id: s.id, kind: 'sink' as const, plugin: s.plugin.name })),
  ];
  if (pipeline.late) nodes.push({ id: pipeline.late.id, kind: 'late', plugin: pipeline.late.plugin.name });
  if (pipeline.deadLetter) nodes.push({ id: pipeline.deadLetter.id, kind: 'dead_letter', plugin: pipeline.deadLetter.plugin.name });
  const edges: UiEdge[] = [
    ...pipeline.operators.flatMap((o) => o.inputs.map((ref) => edge(ref, o.id))),
    ...pipeline.sinks.flatMap((s) => (s.input ? [edge(s.input, s.id)] : [])),
  ];
  return { nodes, edges };
}

/** Queue names are `<stream> -> <consumer>[i]` (operators) or `<stream> -> <sink>` (core/runtime/engine/wiring.ts). */
export function queueConsumer(queue: string): string {
  const to = queue.slice(queue.lastIndexOf(' -> ') + 4);
  const bracket = to.indexOf('[');
  return bracket < 0 ? to : to.slice(0, bracket);
}
