/**
 * Watermark alignment across the tasks of a job (docs/architecture.md §3 and §5 item 7).
 * Each task is an engine instance aligning its own sources; this gives each task's alignment
 * group (`EngineOptions.alignmentGroup`) the rest of the job as well, so that a group's
 * minimum is job-wide: the lowest over every task of every process whose stage reads a
 * source aligned in that group (what stages read after a repartition topic is already the
 * minimum over the upstream tasks, in-band, and not aligned again).
 *
 * What a task holds the others to is `AlignmentGroup.holding`: the lowest watermark over its
 * active partitions, −∞ while it starts (up to `idle_timeout`), nothing while it is idle or
 * its input ended. Tasks of this process are read directly, at every recomputation. The
 * others come from the job's watermark board (`TaskLayout.watermarkBoard`: for `kafka`, a
 * compacted topic keyed by task id), to which every process publishes its tasks' values
 * when they change, at most every `publishMs`. So, for task T of group g, each other task:
 * - runs here: its live value;
 * - else has an entry (another process's latest, or this process's last of a task it
 *   stopped): that value — a task whose process died keeps its last value in the minimum
 *   until its new owner publishes (as Flink waits for a restarting source);
 * - else (nobody published it yet): −∞ with a board, so the job waits for a task that is
 *   still starting elsewhere; without a board, it is not counted (only this process aligns).
 * A process reads its own entries back and ignores them: its live values are newer.
 *
 * No deadlock, as within one instance: the task holding the minimum is never paused, an
 * unknown task is run by someone eventually (the task group assigns every task), and a task
 * with nothing to read goes idle and leaves the minimum.
 */
import { randomUUID } from 'node:crypto';
import { MIN_WATERMARK } from '../../api/index.ts';
import type { Logger, TaskLayout, TaskWatermarks, WatermarkBoard } from '../../api/index.ts';
import { AlignmentGroup } from '../engine/watermark-alignment.ts';
import { stageTask } from './stages.ts';
import type { Stage } from './stages.ts';

type Values = Readonly<Record<string, number | null>>;

export interface JobAlignmentOptions {
  /** Per alignment group, every task of the job (all processes) that reads a source aligned in it. */
  readonly expected: ReadonlyMap<string, readonly string[]>;
  /** The job's board; absent: tasks align with the tasks of this process only. */
  readonly board?: WatermarkBoard | undefined;
  /** This process's id on the board. */
  readonly process: string;
  readonly logger: Logger;
  /** Real ms between two publications of this process's changed values. Default 200. */
  readonly publishMs?: number;
}

export class JobAlignment {
  /** Groups of the tasks running here (their latest attempt's), by task id, then group. */
  private readonly live = new Map<string, Map<string, AlignmentGroup>>();
  /** Values of tasks not running here: another process's latest, or this one's last. */
  private readonly known = new Map<string, Values>();
  /** Last values of tasks stopped here, to publish once more. */
  private readonly finals = new Map<string, Values>();
  /** The values last published per task (as JSON), so that only changes are sent. */
  private readonly published = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;

  constructor(private readonly o: JobAlignmentOptions) {}

  /** Starts reading the board and publishing to it. */
  async open(): Promise<void> {
    const board = this.o.board;
    if (!board) return;
    await board.open((entries) => this.receive(entries));
    this.timer = setInterval(() => void this.publish(), this.o.publishMs ?? 200);
    this.timer.unref();
  }

  /** Stops publishing; the values of tasks still running are published a last time. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const task of [...this.live.keys()]) this.release(task);
    await this.sending;
    await this.publish();
    await this.o.board?.close();
  }

  /** The task starts running here: until its groups start, it holds the others at its last known value, else at −∞. */
  claim(task: string): void {
    if (!this.live.has(task)) this.live.set(task, new Map());
  }

  /** Task `task`'s group `name` (a new one per attempt of the task), aligned with the job's other tasks. */
  group(task: string, name: string): AlignmentGroup {
    const g = new AlignmentGroup(() => this.outside(task, name));
    this.claim(task);
    this.live.get(task)!.set(name, g);
    return g;
  }

  /**
   * The task stops running here (lost, stopped, ended): its last value stays in the minimum,
   * published once more, until another process publishes the task.
   */
  release(task: string): void {
    const groups = this.live.get(task);
    if (!groups) return;
    const last = this.valuesOf(task, groups);
    this.live.delete(task);
    if (!last) return;
    this.known.set(task, last);
    this.finals.set(task, last);
    void this.publish();
  }

  /** The lowest value over the group's tasks other than `self`; undefined: none holds it. */
  private outside(self: string, name: string): number | undefined {
    let min: number | undefined;
    for (const task of this.o.expected.get(name) ?? []) {
      if (task === self) continue;
      const w = this.valueOf(task, name);
      if (w !== null && (min === undefined || w < min)) min = w;
    }
    return min;
  }

  /** A task's value in a group; null: it holds nothing back. */
  private valueOf(task: string, name: string): number | null {
    const here = this.live.get(task);
    const g = here?.get(name);
    if (g?.started()) return g.holding() ?? null;
    const entry = this.known.get(task);
    if (entry) return entry[name] ?? null;
    // Nobody published it: it is starting here, or elsewhere (a board tells of it), else unknowable.
    return here || this.o.board ? MIN_WATERMARK : null;
  }

  /** The live values of a task's groups; undefined while none has started (still opening). */
  private valuesOf(task: string, groups: ReadonlyMap<string, AlignmentGroup>): Values | undefined {
    if (![...groups.values()].some((g) => g.started())) return undefined;
    const out: Record<string, number | null> = {};
    for (const name of groups.keys()) out[name] = this.valueOf(task, name);
    return out;
  }

  private receive(entries: readonly TaskWatermarks[]): void {
    for (const e of entries) {
      if (e.process === this.o.process) continue;
      this.known.set(e.task, e.groups);
      // Another process's entry replaced ours on the board: ours is not there any more.
      this.published.delete(e.task);
    }
  }

  /** Sends the values that changed since the last publication (the timer calls it; one send at a time; a failed one is retried at the next tick). */
  async publish(): Promise<void> {
    const board = this.o.board;
    if (!board || this.sending) return this.sending;
    const changed: TaskWatermarks[] = [];
    const values = new Map<string, Values>();
    for (const [task, groups] of this.live) {
      const v = this.valuesOf(task, groups);
      if (v) values.set(task, v);
    }
    for (const [task, v] of this.finals) values.set(task, v);
    this.finals.clear();
    for (const [task, groups] of values) {
      const json = JSON.stringify(groups, (_k, w: unknown) => (w === MIN_WATERMARK ? '-inf' : w));
      if (this.published.get(task) === json) continue;
      changed.push({ task, process: this.o.process, groups });
      this.published.set(task, json);
    }
    if (!changed.length) return;
    this.sending = board.publish(changed).catch((error: unknown) => {
      for (const e of changed) {
        this.published.delete(e.task);
        if (!this.live.has(e.task) && !this.finals.has(e.task)) this.finals.set(e.task, e.groups);
      }
      this.o.logger.warn(`watermark board: publishing failed, retrying: ${(error as Error).message}`);
    }).finally(() => (this.sending = undefined));
    return this.sending;
  }
}

/** Per alignment group, the ids of the tasks (every stage's P) whose stage reads a source aligned in it. */
export function alignedTasks(stages: readonly Stage[], count: number): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const stage of stages) {
    const groups = new Set(stage.pipeline.sources.flatMap((s) => (s.eventTime.alignment ? [s.eventTime.alignment.group] : [])));
    for (const name of groups) {
      let tasks = out.get(name);
      if (!tasks) out.set(name, (tasks = []));
      for (let i = 0; i < count; i++) tasks.push(stageTask(stage.name, i, count).id);
    }
  }
  return out;
}

/** The job's alignment across tasks, open; undefined when no stage reads an aligned source. */
export async function openJobAlignment(layout: TaskLayout, stages: readonly Stage[], logger: Logger): Promise<JobAlignment | undefined> {
  const expected = alignedTasks(stages, layout.count);
  if (expected.size === 0) return undefined;
  const alignment = new JobAlignment({ expected, board: layout.watermarkBoard?.(), process: randomUUID(), logger });
  await alignment.open();
  return alignment;
}
