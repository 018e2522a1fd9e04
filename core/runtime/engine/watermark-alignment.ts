/**
 * Watermark alignment (Flink's FLIP-182 and FLIP-217; docs/pipelines.md, "Watermark
 * alignment").
 *
 * Aligned sources form groups (`event_time.alignment.group`). A group's minimum is the
 * lowest watermark over the active (non-idle) partitions of its sources; a source's limit
 * is that minimum plus its `max_drift`. In a job run as tasks the group also reaches over the
 * job's other tasks (`outside`, scale/job-alignment.ts): the minimum is then job-wide. A partition whose watermark is above the limit is
 * paused: the source stops returning its records (`pausePartitions`), or, for a source that
 * cannot pause partitions, the source is not polled while every partition of it is above
 * the limit. The minimum is recomputed at most every `update_interval` of processing time
 * (0: whenever asked); partitions are checked against the last limit after every poll.
 *
 * No deadlock: a partition holding the minimum is never above the limit (`max_drift` ≥ 0),
 * so while any partition is active one of the lowest is read. A partition that brings no
 * records goes idle after `idle_timeout` (alignment requires one) and leaves the minimum,
 * which releases what it held back; when every partition of the group is idle there is no
 * minimum and nothing is paused. A paused partition goes idle too (it brings nothing): that
 * is harmless, it is ahead of the minimum anyway, and it rejoins when it reads again.
 */
import type { AlignmentSpec } from '../graph/types.ts';
import type { SourceWatermarks } from './source-watermarks.ts';

/** A partition as its source names it in its chunks. */
export type Partition = string | number;

/** The lowest watermark the job's other tasks hold a group to; undefined: none holds it. */
export type OutsideMinimum = () => number | undefined;

/** The sources sharing one minimum watermark. */
export class AlignmentGroup {
  private readonly members: SourceWatermarks[] = [];

  /** `outside`: the group's minimum over the job's other tasks (a job run as tasks). */
  constructor(private readonly outside?: OutsideMinimum) {}

  join(watermarks: SourceWatermarks): void {
    this.members.push(watermarks);
  }

  /** Lowest watermark over the group's active partitions, here and outside; undefined when none is active. */
  minimum(): number | undefined {
    let min = this.outside?.();
    for (const m of this.members) {
      const w = m.lowestActive();
      if (w !== undefined && (min === undefined || w < min)) min = w;
    }
    return min;
  }

  /**
   * What this engine instance holds the job's other tasks to: the lowest of its sources'
   * `SourceWatermarks.holding` (a source starting holds at −∞). Undefined: idle or ended,
   * it holds nothing back.
   */
  holding(): number | undefined {
    let min: number | undefined;
    for (const m of this.members) {
      const w = m.holding();
      if (w !== undefined && (min === undefined || w < min)) min = w;
    }
    return min;
  }

  /** True once a source of the group started (before: the instance is still opening). */
  started(): boolean {
    return this.members.some((m) => m.started);
  }
}

/** What one source must pause and resume now. */
export interface AlignmentChanges {
  readonly pause: Partition[];
  readonly resume: Partition[];
}

/** The alignment decisions of one source against its group. */
export class SourceAlignment {
  private limit = Number.POSITIVE_INFINITY;
  private refreshAt = Number.NEGATIVE_INFINITY;
  /** Watermark key → the partition as the source names it. */
  private readonly partitionOf = new Map<string, Partition>();
  /** Partitions paused now (per-partition mode). */
  readonly paused = new Set<Partition>();
  /** True while the whole source is held (whole-source mode). */
  private held = false;

  constructor(
    private readonly group: AlignmentGroup,
    private readonly watermarks: SourceWatermarks,
    private readonly spec: AlignmentSpec,
  ) {
    group.join(watermarks);
  }

  /** Records which partition a watermark key belongs to; only noted partitions are paused. */
  note(key: string, partition: Partition): void {
    if (!this.partitionOf.has(key)) this.partitionOf.set(key, partition);
  }

  /** The group's minimum plus `max_drift`, recomputed at most every `update_interval`. */
  currentLimit(now: number): number {
    if (now >= this.refreshAt) {
      const min = this.group.minimum();
      this.limit = min === undefined ? Number.POSITIVE_INFINITY : min + this.spec.maxDrift;
      this.refreshAt = now + this.spec.updateInterval;
    }
    return this.limit;
  }

  /**
   * Per-partition mode: the partitions to pause and resume now, or undefined when nothing
   * changes. A partition is paused when every watermark key of it (one per output) is above
   * the limit.
   */
  update(now: number): AlignmentChanges | undefined {
    const limit = this.currentLimit(now);
    const ahead = new Map<Partition, boolean>();
    for (const [key, st] of this.watermarks.states) {
      const p = this.partitionOf.get(key);
      if (p === undefined) continue;
      const above = st.watermark > limit;
      ahead.set(p, (ahead.get(p) ?? true) && above);
    }
    let pause: Partition[] | undefined;
    let resume: Partition[] | undefined;
    for (const p of this.paused) {
      if (ahead.get(p)) continue;
      (resume ??= []).push(p);
      this.paused.delete(p);
    }
    for (const [p, above] of ahead) {
      if (!above || this.paused.has(p)) continue;
      (pause ??= []).push(p);
      this.paused.add(p);
    }
    return pause || resume ? { pause: pause ?? [], resume: resume ?? [] } : undefined;
  }

  /** Whole-source mode: true while the source has partitions and all are above the limit. */
  hold(now: number): boolean {
    const limit = this.currentLimit(now);
    let any = false;
    for (const st of this.watermarks.states.values()) {
      if (!(st.watermark > limit)) {
        any = false;
        break;
      }
      any = true;
    }
    this.held = any;
    return any;
  }

  /** Partitions paused by alignment now (for the gauge). */
  get pausedCount(): number {
    return this.held ? this.watermarks.states.size : this.paused.size;
  }
}
