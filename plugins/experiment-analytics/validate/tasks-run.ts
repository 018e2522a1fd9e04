/**
 * A run of a job run as tasks (docs/scale.md, "Per-task files"): no `summary.json` in the run
 * folder, but one per stage task under `tasks/<task id>/`, each listing the files that task
 * wrote and its share of the counters. The run's summary is their union: every task's files
 * (paths made relative to the run folder), counters summed per stream role and outcome,
 * drained only when every task drained, the results store (the same in all) once.
 *
 * Every task of every stage must be there: each summary names its stage and the stage's task
 * count, and a missing one is reported (its files and counters would be missing from the
 * comparison).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ROLES, SUMMARY_FILE, readSummary } from './summary.ts';
import type { Role, RunSummary, SourceCounters } from './summary.ts';

export const TASKS_FOLDER = 'tasks';

/** The task summaries of a run folder, or undefined when it is not a tasks run. */
export function taskSummaryFiles(runFolder: string): string[] | undefined {
  const dir = join(runFolder, TASKS_FOLDER);
  if (existsSync(join(runFolder, SUMMARY_FILE)) || !existsSync(dir) || !statSync(dir).isDirectory()) return undefined;
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, SUMMARY_FILE)))
    .map((e) => join(dir, e.name, SUMMARY_FILE))
    .sort();
}

interface TaskInfo { readonly id: string; readonly stage: string; readonly index: number; readonly count: number }

export interface TasksRun {
  readonly summary: RunSummary;
  /** Tasks with no summary (`<stage>/<index>`), and tasks that did not drain. */
  readonly problems: readonly string[];
  readonly tasks: number;
}

type Sum = { read?: number; admitted: number; outcomes: Record<string, number>; readAll: number };

/** Sums a task's counters; `read` (optional: absent means all were admitted) is kept when any task gave it. */
function addCounters(into: Map<Role, Sum>, role: Role, c: SourceCounters): void {
  const t: Sum = into.get(role) ?? { admitted: 0, outcomes: {}, readAll: 0 };
  t.readAll += c.read ?? c.admitted;
  if (c.read !== undefined || t.read !== undefined) t.read = t.readAll;
  t.admitted += c.admitted;
  for (const [k, v] of Object.entries(c.outcomes)) t.outcomes[k] = (t.outcomes[k] ?? 0) + v;
  into.set(role, t);
}

/** The union of a tasks run's summaries, paths relative to `runFolder`. */
export function readTasksRun(runFolder: string, files: readonly string[]): TasksRun {
  if (files.length === 0) throw new Error(`${runFolder}/${TASKS_FOLDER} holds no task summary: no task of the run drained`);
  const problems: string[] = [];
  const archive: Record<Role, string[]> = { activations: [], actions: [], metadata: [] };
  const late: string[] = [];
  const dead: string[] = [];
  const counters = new Map<Role, Sum>();
  const seen = new Map<string, Set<number>>();
  const counts = new Map<string, number>();
  let first: RunSummary | undefined;
  for (const file of files) {
    const s = readSummary(file);
    first ??= s;
    const dir = resolve(file, '..');
    const rel = (p: string) => relative(runFolder, resolve(dir, p));
    const task = (s as unknown as { task?: TaskInfo }).task;
    if (task) {
      const key = task.stage || '(first stage)';
      if (!seen.has(key)) seen.set(key, new Set());
      seen.get(key)!.add(task.index);
      counts.set(key, task.count);
    }
    if (!s.drained) problems.push(`task ${task?.id ?? dir} did not drain`);
    for (const role of ROLES) archive[role].push(...s.archive[role].map(rel));
    late.push(...s.late.map(rel));
    dead.push(...s.dead_letter.map(rel));
    for (const role of ROLES) {
      const c = s.sources[role];
      if (c) addCounters(counters, role, c);
    }
  }
  for (const [stage, indexes] of seen) {
    const count = counts.get(stage)!;
    for (let i = 0; i < count; i++) if (!indexes.has(i)) problems.push(`stage ${stage}: task ${i} of ${count} has no summary (it did not drain)`);
  }
  const at = (p: string) => relative(runFolder, resolve(files[0]!, '..', p));
  const r = first!.results;
  const results = 'sqlite' in r ? { ...r, sqlite: at(r.sqlite) } : 'jsonl' in r ? { jsonl: r.jsonl.map(at) } : r;
  const summary: RunSummary = {
    ...first!,
    drained: problems.length === 0,
    archive,
    late,
    dead_letter: dead,
    results,
    sources: Object.fromEntries([...counters].map(([role, { readAll: _, ...c }]) => [role, c])),
  };
  return { summary, problems, tasks: files.length };
}
