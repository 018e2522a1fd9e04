/**
 * The run summary of one stage task (docs/scale.md, "Per-task files"): the
 * `sluice.run-summary/v1` document `sluice run` writes for a whole job (run-summary.ts),
 * written by a task of a job run as tasks when it ends drained (`endInput`), into its own
 * folder (`<run>/tasks/<task id>/summary.json`), with a `task` field naming it.
 *
 * A stage holds only some of the declared blocks: a task lists the archive, late and
 * dead-letter files it wrote, and per stream role the records its archive sink admitted and
 * its counters; a role whose archive sink is in another stage has nothing admitted here,
 * but late or dead-lettered records of that stream written here still count (as a negative
 * `counted`), so that the sums over all tasks of a run — what `sluice validate` adds up
 * (a validation command a plugin package contributes) — are the whole job's.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { TaskSlice } from '../../api/index.ts';
import type { CompiledPipeline } from '../graph/types.ts';
import type { JobResult } from '../engine/index.ts';
import { countByOutput, pathOf, resultsOf, runSummaryDeclaration } from '../../cli/commands/run-summary.ts';
import { runFolderOf, taskPath } from './task-paths.ts';

export interface TaskSummaryInput {
  /** The whole job (before the cut), with its own paths. */
  readonly whole: CompiledPipeline;
  /** The stage task's pipeline, paths moved (task-paths.ts). */
  readonly stage: CompiledPipeline;
  readonly stageName: string;
  readonly task: TaskSlice;
  readonly result: JobResult;
  readonly runId: string;
  readonly cwd: string;
}

function tally(result: JobResult, id: string): { admitted: Map<string, number>; undecodable: Map<string, number> } {
  const t = result.stages[id]?.byStream;
  return { admitted: new Map(Object.entries(t?.admitted ?? {})), undecodable: new Map(Object.entries(t?.undecodable ?? {})) };
}

/** The task's summary, or undefined when the job declares none. Paths are relative to the task's folder. */
export async function buildTaskSummary(i: TaskSummaryInput): Promise<{ path: string; summary: Record<string, unknown> } | undefined> {
  const declared = runSummaryDeclaration(i.whole);
  if (!declared) return undefined;
  const file = resolve(i.cwd, taskPath(declared.path, i.task.id, runFolderOf(i.whole)));
  const rel = (p: string) => relative(dirname(file), resolve(i.cwd, p));
  const wholeSinks = new Map(i.whole.sinks.map((s) => [s.id, s]));
  const here = new Set(i.stage.sinks.map((s) => s.id));
  const sourceIds = new Set(i.whole.sources.map((s) => s.id));
  const latePath = pathOf(i.stage.late);
  const deadPath = pathOf(i.stage.deadLetter);
  const late = latePath !== undefined ? await countByOutput(resolve(i.cwd, latePath), sourceIds) : tally(i.result, i.stage.late?.id ?? 'late');
  const dead = deadPath !== undefined ? await countByOutput(resolve(i.cwd, deadPath), sourceIds) : tally(i.result, i.stage.deadLetter?.id ?? 'dead_letter');
  const archive: Record<string, string[]> = {};
  const sources: Record<string, unknown> = {};
  for (const [role, { archive: archiveId, outcomes: refs }] of Object.entries(declared.sources)) {
    const sink = wholeSinks.get(archiveId);
    if (!sink?.input || pathOf(sink) === undefined) throw new Error(`run_summary: '${archiveId}' is not a file sink of the pipeline`);
    const streamKey = `${sink.input.node}/${sink.input.output ?? ''}`;
    const moved = here.has(archiveId) ? pathOf(i.stage.sinks.find((s) => s.id === archiveId)) : undefined;
    archive[role] = moved === undefined ? [] : [rel(moved)];
    const admitted = here.has(archiveId) ? (i.result.stages[archiveId]?.out ?? 0) : 0;
    const outcomes: Record<string, number> = { counted: 0, late: late.admitted.get(streamKey) ?? 0, dead_lettered: dead.admitted.get(streamKey) ?? 0 };
    for (const [name, ref] of Object.entries(refs)) {
      const [stage, counter] = ref.split('.') as [string, string];
      const s = i.result.stages[stage];
      outcomes[name] = !s ? 0 : counter === 'dropped' ? s.in - s.out - s.late - s.deadLettered : (s.counters?.[counter] ?? 0);
    }
    outcomes.counted = admitted - Object.values(outcomes).reduce((a, b) => a + b, 0);
    sources[role] = { read: admitted + (dead.undecodable.get(streamKey) ?? 0), admitted, outcomes };
  }
  const summary = {
    format: 'sluice.run-summary/v1',
    job: i.whole.name,
    run_id: i.runId,
    task: { id: i.task.id, stage: i.stageName, index: i.task.index, count: i.task.count },
    drained: i.result.status === 'finished',
    status: i.result.status,
    archive,
    late: latePath === undefined ? [] : [rel(latePath)],
    dead_letter: deadPath === undefined ? [] : [rel(deadPath)],
    ...(deadPath === undefined && i.whole.deadLetter ? { dead_letter_output: i.whole.deadLetter.plugin.name } : {}),
    results: resultsOf(wholeSinks.get(declared.results), declared.results, rel),
    sources,
    settings: declared.settings,
  };
  return { path: file, summary };
}

export async function writeTaskSummary(i: TaskSummaryInput): Promise<string | undefined> {
  const built = await buildTaskSummary(i);
  if (!built) return undefined;
  await mkdir(dirname(built.path), { recursive: true });
  await writeFile(built.path, JSON.stringify(built.summary, null, 2) + '\n');
  return built.path;
}
