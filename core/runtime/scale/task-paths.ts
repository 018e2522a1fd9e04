/**
 * Per-task files of a job run as tasks (docs/architecture.md §5, docs/scale.md). Run whole,
 * a pipeline's file outputs (archive, late and dead-letter files, report, run summary) are
 * one file each; run as tasks, every stage task of every process would write the same
 * paths. So each stage task gets its own copy of every path, as Kafka Streams gives each
 * task its own state folder:
 *
 *   <run folder>/<rel>   →   <run folder>/tasks/<task id>/<rel>
 *
 * where the run folder is the folder of the pipeline's run summary (`run_summary.path`),
 * and a path outside it (or in a pipeline without one) goes to `<its folder>/tasks/<task id>/`.
 * A task's files move with the task: its new owner restores their checkpointed positions
 * (the file sink truncates to them), so the files are shared storage as the checkpoint store
 * is (one machine, or a shared volume). `sluice validate` reads the union of the tasks'
 * files.
 */
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import type { CompiledPipeline, CompiledSink } from '../graph/types.ts';

/** The folder under a run folder that holds one folder per stage task. */
export const TASKS_FOLDER = 'tasks';

/** The run folder of a pipeline: the folder of the first `run_summary` a sink declares, if any. */
export function runFolderOf(p: CompiledPipeline): string | undefined {
  for (const sink of p.sinks) {
    const declared = (sink.config as { run_summary?: { path?: unknown } } | null)?.run_summary;
    if (typeof declared?.path === 'string') return dirname(declared.path);
  }
  return undefined;
}

/** Where task `task` writes what the whole job writes at `path`. */
export function taskPath(path: string, task: string, runFolder: string | undefined): string {
  if (runFolder !== undefined) {
    const rel = relative(runFolder, path);
    if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) return join(runFolder, TASKS_FOLDER, task, rel);
  }
  return join(dirname(path), TASKS_FOLDER, task, basename(path));
}

/**
 * A sink config with every `path` (and a `run_summary.path`) moved into the task's folder.
 * A `report` option (sinks whose parts meet in a process-wide report of that name, as the
 * flagship's report sink does) gets the task's id, so that tasks running in one process keep their reports apart.
 */
function moveSink(sink: CompiledSink, move: (p: string) => string, task: string): CompiledSink {
  const config = sink.config as Record<string, unknown> | null;
  if (config === null || typeof config !== 'object') return sink;
  let next: Record<string, unknown> | undefined;
  if (typeof config.path === 'string') next = { ...config, path: move(config.path) };
  if (typeof config.report === 'string') next = { ...(next ?? config), report: `${config.report}_${task.replace(/[^a-z0-9_]/g, '_')}` };
  const summary = config.run_summary as Record<string, unknown> | undefined;
  if (summary && typeof summary.path === 'string') next = { ...(next ?? config), run_summary: { ...summary, path: move(summary.path) } };
  return next ? { ...sink, config: next } : sink;
}

/**
 * The stage pipeline of one task with its file paths moved into the task's folder.
 * `runFolder` is the whole job's (`runFolderOf` of the uncut pipeline).
 */
export function withTaskPaths(p: CompiledPipeline, task: string, runFolder: string | undefined): CompiledPipeline {
  const move = (path: string) => taskPath(path, task, runFolder);
  return {
    ...p,
    sinks: p.sinks.map((s) => moveSink(s, move, task)),
    late: p.late && moveSink(p.late, move, task),
    deadLetter: p.deadLetter && moveSink(p.deadLetter, move, task),
  };
}
