/**
 * What `sluice run` says when a job ends: the records each sink wrote, how many went to the
 * late and dead-letter outputs (and where), that a re-run of a finished batch job had nothing
 * left to read, and after Ctrl-C the command that resumes the run.
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

/** A word as a POSIX shell reads it back: quoted when it holds anything but safe characters. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface ResumeArgs {
  readonly file: string;
  readonly profile?: string;
  readonly set: readonly string[];
  readonly events?: number;
  /** The run was started with `--allow-plugin-path` (its pipeline may load a plugin folder). */
  readonly allowPluginPath?: boolean;
  /** Set when the run's state or outputs are tied to its id (a run with its own folder). */
  readonly runId?: string;
}

/**
 * The command that resumes a stopped run from its last checkpoint: the same pipeline,
 * profile, `--set`s and `--events` (which counts over the whole run), without
 * `--reset-state` or `--from-savepoint` (either would not resume), with `--allow-plugin-path`
 * when the run had it, and the run id when the run keeps its state under it.
 */
export function resumeCommand(args: ResumeArgs): string {
  const words = ['npx', 'sluice', ...(args.allowPluginPath ? ['--allow-plugin-path'] : []), 'run', args.file];
  if (args.profile !== undefined) words.push('--profile', args.profile);
  for (const s of args.set) words.push('--set', s);
  if (args.events !== undefined) words.push('--events', String(args.events));
  const command = words.map(shellWord).join(' ');
  return args.runId !== undefined ? `RUN_ID=${shellWord(args.runId)} ${command}` : command;
}

/** How many records the sources had read when the (last) attempt started: what it restored. */
export function restoredRecords(stages: Readonly<Record<string, { readonly in: number }>>, pipeline: CompiledPipeline): number {
  return pipeline.sources.reduce((sum, src) => sum + (stages[src.id]?.in ?? 0), 0);
}

/**
 * For a job that finished right after restoring a checkpoint and read nothing: it had
 * already finished. Says so and how to start over; undefined otherwise.
 */
export function alreadyFinished(pipeline: CompiledPipeline, result: JobResult, readAtStart: number | undefined, startOver: string): string | undefined {
  if (result.status !== 'finished' || result.restoredFrom === undefined || readAtStart === undefined) return undefined;
  if (result.recordsIn > readAtStart) return undefined;
  const { id, store } = result.restoredFrom;
  return (
    `job ${pipeline.name} had already finished: it resumed from checkpoint ${id} (${store}) and found nothing new to read: its inputs had been read to the end.\n` +
    `To run it again from the beginning: ${startOver}\n`
  );
}
