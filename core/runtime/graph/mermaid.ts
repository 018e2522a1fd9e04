/**
 * `sluice graph`: a Mermaid flowchart of the compiled pipeline. Sources, operators (with
 * their plugin) and sinks; dotted edges to the late output from keyed operators (the ones
 * that judge event time against a watermark) and to the dead-letter output from every
 * source (undecodable records), operator (expression errors, plugin throws) and sink
 * (records the target rejects).
 */
import type { CompiledPipeline, StreamRef } from './types.ts';

// Mermaid ids are word characters: a source group member `traffic.actions` becomes `n_traffic__actions`.
const nodeId = (id: string) => `n_${id.replaceAll('.', '__')}`;
const LATE = 'out_late';
const DEAD = 'out_dead_letter';

function label(title: string, plugin: string): string {
  const esc = (s: string) => s.replace(/"/g, '#quot;');
  return `"${esc(title)}<br/><i>${esc(plugin)}</i>"`;
}

function edge(from: StreamRef, to: string): string {
  return from.output ? `  ${nodeId(from.node)} -->|${from.output}| ${to}` : `  ${nodeId(from.node)} --> ${to}`;
}

export function toMermaid(pipeline: CompiledPipeline): string {
  const lines = ['flowchart LR'];
  for (const s of pipeline.sources) lines.push(`  ${nodeId(s.id)}[/${label(s.id, s.plugin.name)}/]`);
  for (const o of pipeline.operators) lines.push(`  ${nodeId(o.id)}[${label(o.id, o.plugin.name)}]`);
  for (const s of pipeline.sinks) lines.push(`  ${nodeId(s.id)}[\\${label(s.id, s.plugin.name)}\\]`);
  if (pipeline.late) lines.push(`  ${LATE}{{${label('late', pipeline.late.plugin.name)}}}`);
  if (pipeline.deadLetter) lines.push(`  ${DEAD}{{${label('dead letter', pipeline.deadLetter.plugin.name)}}}`);
  for (const o of pipeline.operators) for (const input of o.inputs) lines.push(edge(input, nodeId(o.id)));
  for (const s of pipeline.sinks) if (s.input) lines.push(edge(s.input, nodeId(s.id)));
  if (pipeline.late) {
    for (const o of pipeline.operators) if (o.plugin.keyed) lines.push(`  ${nodeId(o.id)} -.-> ${LATE}`);
  }
  if (pipeline.deadLetter) {
    for (const n of [...pipeline.sources, ...pipeline.operators, ...pipeline.sinks]) lines.push(`  ${nodeId(n.id)} -.-> ${DEAD}`);
  }
  return `${lines.join('\n')}\n`;
}
