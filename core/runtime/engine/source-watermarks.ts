/**
 * Watermark generation for one source (docs/architecture.md §3, Flink's conventions).
 *
 * Each partition (per named output) keeps bounded out-of-orderness:
 * `W_p = max(max_ts − out_of_orderness − 1, explicit watermarks)`, never going back. The
 * source's watermark is the minimum over its *active* partitions and never goes back
 * either.
 *
 * Idleness (only with an `idle_timeout`): a partition that brought no record for
 * `idle_timeout` of processing time leaves the minimum. When it brings records again it is
 * active again; as the combined watermark never goes back, it then holds the watermark
 * where it is until its own reaches it — the moment it rejoins the minimum (this is what
 * Flink's `WatermarkOutputMultiplexer` does: the returning partition's records are not
 * judged late while it catches up). Partitions the source declares up front
 * (`partitions()`) start idle. When every partition is idle the watermark holds.
 * Without an `idle_timeout` partitions never go idle and declared ones hold the watermark
 * at −∞ until they produce.
 *
 * For alignment across the tasks of a job (`holding`, scale/job-alignment.ts) a source that
 * starts — fresh or restored — holds the others at −∞ while it has no active partition,
 * until its first record or for `idle_timeout`: a task that starts or moves after the
 * others is waited for, not left behind.
 */
import { MAX_WATERMARK, MIN_WATERMARK } from '../../api/time.ts';

interface PartitionWatermark {
  maxTs: number;
  /** Own watermark (generated and explicit combined), never back. */
  watermark: number;
  idle: boolean;
  /** Processing time of the last record. */
  lastRecordAt: number;
}

/** Serialisable watermark-generator state, part of every checkpoint. */
export interface SourceWatermarkState {
  readonly combined: number;
  readonly partitions: readonly (readonly [string, { maxTs: number; watermark: number; idle: boolean }])[];
}

export class SourceWatermarks {
  private readonly parts = new Map<string, PartitionWatermark>();
  private combined = MIN_WATERMARK;
  private ended = false;
  /** The newest event time read over every partition (for the watermark lag downstream). */
  newest = MIN_WATERMARK;
  /** Processing time of the start (first declaration, record or idleness check, or restore); undefined before. */
  private startedAt: number | undefined;
  /** From the start until the first record or `idle_timeout` later (see `holding`). */
  private starting = true;

  constructor(
    private readonly outOfOrderness: number,
    /** Undefined: partitions never go idle. */
    private readonly idleTimeout: number | undefined,
  ) {}

  /** The key of one partition of one output. */
  static key(output: string | undefined, partition: string | number): string {
    return output ? `${output}\u0000${partition}` : String(partition);
  }

  /** Partitions known before they produce: idle with an idle timeout, holding at −∞ without. */
  declare(keys: readonly string[], now: number): void {
    this.startedAt ??= now;
    for (const key of keys) {
      if (this.parts.has(key)) continue;
      this.parts.set(key, { maxTs: MIN_WATERMARK, watermark: MIN_WATERMARK, idle: this.idleTimeout !== undefined, lastRecordAt: now });
    }
  }

  private part(key: string, now: number): PartitionWatermark {
    let p = this.parts.get(key);
    if (!p) {
      p = { maxTs: MIN_WATERMARK, watermark: MIN_WATERMARK, idle: false, lastRecordAt: now };
      this.parts.set(key, p);
    }
    return p;
  }

  /** Records of one partition arrived with these event times (`count` of them from `from`). */
  observe(key: string, times: readonly number[], from: number, count: number, now: number): void {
    if (count === 0) return;
    this.startedAt ??= now;
    this.starting = false;
    const p = this.part(key, now);
    let max = p.maxTs;
    for (let i = from; i < from + count; i++) {
      const t = times[i]!;
      if (t > max) max = t;
    }
    p.maxTs = max;
    if (max > this.newest) this.newest = max;
    const generated = max - this.outOfOrderness - 1;
    if (generated > p.watermark) p.watermark = generated;
    p.idle = false;
    p.lastRecordAt = now;
  }

  /** An explicit watermark for one partition; combined with the generated one, never back. */
  explicit(key: string, watermark: number, now: number): void {
    const p = this.part(key, now);
    if (watermark > p.watermark) p.watermark = watermark;
  }

  /** Marks partitions idle whose last record is `idle_timeout` old. */
  checkIdle(now: number): void {
    const timeout = this.idleTimeout;
    this.startedAt ??= now;
    if (timeout === undefined) return;
    if (this.starting && now - this.startedAt >= timeout) this.starting = false;
    for (const p of this.parts.values()) {
      if (!p.idle && now - p.lastRecordAt >= timeout) p.idle = true;
    }
  }

  /** Recomputes the source watermark; returns it (never lower than before). */
  update(): number {
    if (this.ended) return this.combined;
    let min = MAX_WATERMARK;
    let active = 0;
    for (const p of this.parts.values()) {
      if (p.idle) continue;
      active++;
      if (p.watermark < min) min = p.watermark;
    }
    // Every partition idle (or none known yet): hold.
    if (active > 0 && min > this.combined) this.combined = min;
    return this.combined;
  }

  /** End of input: +∞, so every window and timer downstream fires. */
  end(): number {
    this.ended = true;
    this.combined = MAX_WATERMARK;
    return this.combined;
  }

  get current(): number {
    return this.combined;
  }

  /**
   * The lowest watermark over the active (non-idle) partitions, for watermark alignment;
   * undefined when none is active or the input ended (nothing here holds others back).
   */
  lowestActive(): number | undefined {
    if (this.ended) return undefined;
    let min: number | undefined;
    for (const p of this.parts.values()) if (!p.idle && (min === undefined || p.watermark < min)) min = p.watermark;
    return min;
  }

  /** True once the source started (declared its partitions, read, or was restored). */
  get started(): boolean {
    return this.startedAt !== undefined;
  }

  /**
   * What this source holds the job's other tasks to (alignment across tasks): the lowest
   * watermark over its active partitions; with none, −∞ while it is starting (above), else
   * undefined (idle or ended: it holds nothing back).
   */
  holding(): number | undefined {
    if (this.ended) return undefined;
    return this.lowestActive() ?? (this.starting && this.idleTimeout !== undefined ? MIN_WATERMARK : undefined);
  }

  /** Live per-partition view, for watermark alignment (no copy; do not keep across polls). */
  get states(): ReadonlyMap<string, { readonly watermark: number; readonly idle: boolean }> {
    return this.parts;
  }

  /** Per-partition view, for metrics and tests. */
  partitions(): Map<string, { watermark: number; idle: boolean }> {
    const out = new Map<string, { watermark: number; idle: boolean }>();
    for (const [k, p] of this.parts) out.set(k, { watermark: p.watermark, idle: p.idle });
    return out;
  }

  snapshot(): SourceWatermarkState {
    return {
      combined: this.combined,
      partitions: [...this.parts].map(([k, p]) => [k, { maxTs: p.maxTs, watermark: p.watermark, idle: p.idle }] as const),
    };
  }

  /**
   * Restores a snapshot; quiet time restarts from `now` (the processing-time gap of a
   * restart is not idleness). Partitions declared before the call stay declared. A
   * snapshot's partition that never produced and is not declared now (gone since, or
   * declared for an output it does not feed) is dropped: it would hold the watermark for good.
   */
  restore(state: SourceWatermarkState, now: number): void {
    const declared = new Map(this.parts);
    this.parts.clear();
    this.newest = MIN_WATERMARK;
    for (const [k, p] of state.partitions) {
      if (p.maxTs === MIN_WATERMARK && p.watermark === MIN_WATERMARK && !declared.has(k)) continue;
      this.parts.set(k, { ...p, lastRecordAt: now });
      if (p.maxTs > this.newest) this.newest = p.maxTs;
    }
    for (const [k, p] of declared) if (!this.parts.has(k)) this.parts.set(k, { ...p, lastRecordAt: now });
    this.combined = state.combined;
    this.ended = false;
    this.startedAt = now;
    this.starting = true;
  }
}
