/**
 * What `sluice run` says when a job ends: the records each sink wrote, how many went to the
 * late and dead-letter outputs (and where).
 */
import type { CompiledPipeline, CompiledSink } from '../../runtime/graph/index.ts';
import type { JobResult } from '../../runtime/engine/index.ts';

const n = (v: number): string => v.toLocaleString('en-US');

/** Where an output goes: `file out/late.jsonl`, `kafka`, or that it is not configured. */
function destination(sink: CompiledSink | undefined, key: 'late' | 'dead_letter'): string {
  if (sink === undefined) return `not written: the pipeline has no ${key}: output`;
  const path = (sink.config as { path?: unknown } | null)?.path;
  return typeof path === 'string' ? `${sink.plugin.name} ${path}` : sink.plugin.name;
}

/**
 * One line per sink (`  sink out: 3 written`, plus those it dead-lettered), then the late and
 * dead-lettered totals. Counts are since the job's fresh start (a resumed run adds to the
 * checkpoint's). Nothing when the job failed before its stages ran.
 */
export function formatRunEnd(pipeline: CompiledPipeline, result: JobResult): string {
  if (Object.keys(result.stages).length === 0) return '';
  const lines: string[] = [];
  for (const sink of pipeline.sinks) {
    const s = result.stages[sink.id];
    if (s === undefined) continue;
    lines.push(`  sink ${sink.id}: ${n(s.out)} written${s.deadLettered > 0 ? `, ${n(s.deadLettered)} rejected (dead-lettered)` : ''}`);
  }
  const late = result.stages[pipeline.late?.id ?? 'late']?.in ?? 0;
  const dead = result.stages[pipeline.deadLetter?.id ?? 'dead_letter']?.in ?? 0;
  lines.push(`  late: ${n(late)} (${destination(pipeline.late, 'late')})`);
  lines.push(`  dead-lettered: ${n(dead)} (${destination(pipeline.deadLetter, 'dead_letter')})`);
  return `${lines.join('\n')}\n`;
}
