/**
 * The job's record counters per stage (JobResult.stages, and through them the run summary)
 * travel in every checkpoint and are restored with it, so after a restart — in process or a
 * new process after a crash — they count the whole run since its fresh start, as the
 * effectively-once outputs do, not only what the last attempt saw. Operator counters
 * (`ctx.count`) are in the operator host's own snapshot.
 */
import type { OperatorTask } from './operator-task.ts';
import type { SinkTask } from './sink-task.ts';
import type { SourceTask } from './source-task.ts';

export const COUNTS_ENTRY = 'stage_counts';

interface SinkCounts {
  readonly written: number;
  readonly rejected: number;
  readonly byStream: { readonly admitted: Record<string, number>; readonly undecodable: Record<string, number> };
}

export interface StageCountsSnapshot {
  readonly sources: Record<string, { readonly recordsIn: number; readonly deadLettered: number }>;
  readonly operators: Record<string, { readonly recordsIn: number; readonly recordsOut: number }>;
  readonly sinks: Record<string, SinkCounts>;
}

export interface CountedTasks {
  readonly sources: readonly SourceTask[];
  readonly operators: readonly { readonly task: OperatorTask }[];
  /** Every sink task, the late and dead-letter outputs included. */
  readonly sinks: readonly SinkTask[];
}

export function snapshotCounts(t: CountedTasks): StageCountsSnapshot {
  return {
    sources: Object.fromEntries(t.sources.map((s) => [s.id, { recordsIn: s.recordsIn, deadLettered: s.deadLettered }])),
    operators: Object.fromEntries(t.operators.map(({ task }) => [task.id, { recordsIn: task.recordsIn, recordsOut: task.recordsOut }])),
    sinks: Object.fromEntries(t.sinks.map((k) => [k.id, { written: k.written, rejected: k.rejected, byStream: structuredClone(k.byStream) }])),
  };
}

/** Seeds a new attempt's counters from a checkpoint's (stages it does not name start at 0). */
export function restoreCounts(t: CountedTasks, snapshot: StageCountsSnapshot | undefined): void {
  if (!snapshot) return;
  for (const s of t.sources) {
    const c = snapshot.sources[s.id];
    if (c) [s.recordsIn, s.deadLettered] = [c.recordsIn, c.deadLettered];
  }
  for (const { task } of t.operators) {
    const c = snapshot.operators[task.id];
    if (c) [task.recordsIn, task.recordsOut] = [c.recordsIn, c.recordsOut];
  }
  for (const k of t.sinks) {
    const c = snapshot.sinks[k.id];
    if (!c) continue;
    [k.written, k.rejected] = [c.written, c.rejected];
    Object.assign(k.byStream.admitted, c.byStream.admitted);
    Object.assign(k.byStream.undecodable, c.byStream.undecodable);
  }
}
