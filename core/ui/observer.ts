/**
 * Watches one run of a job for the web UI: once per tick it collects the job's metrics
 * (the MeterProvider `/metrics` serves, so the page and Prometheus agree), derives rates,
 * busy shares and event-time lag from the previous tick, adds the checkpoint history and
 * restarts it was told of and the latest late and dead-letter samples, and hands the
 * snapshot to its listeners (the UI server's event stream, the run folder's `ui.json`).
 *
 * Costs nothing per record: one collection per tick (1 s by default), off the hot path.
 * Reading `sluice_backpressure_ratio` resets the sources' back-pressure window, so with the
 * UI on a Prometheus scrape sees the share since the last tick.
 */
import type { SluiceError } from '../api/index.ts';
import type { CompiledPipeline } from '../runtime/graph/types.ts';
import type { CheckpointInfo } from '../runtime/engine/options.ts';
import type { Telemetry } from '../telemetry/index.ts';
import { jobGraph, queueConsumer } from './graph.ts';
import { metricValues } from './metric-values.ts';
import type { MetricValues } from './metric-values.ts';
import { lastLines } from './samples.ts';
import type { UiCheckpoint, UiPageLink, UiRestart, UiSnapshot, UiStage } from './types.ts';

export interface ObserverOptions {
  readonly pipeline: CompiledPipeline;
  readonly telemetry: Telemetry;
  readonly runId: string;
  /** Paths of the late and dead-letter files, when those outputs are files. */
  readonly latePath?: string;
  readonly deadLetterPath?: string;
  /** Per operator id, a link to its spans. */
  readonly jaeger?: Record<string, string>;
  /** The contributed pages the run folder has data for now. */
  readonly pages?: () => readonly UiPageLink[];
  readonly now?: () => number;
}

type Listener = (snapshot: UiSnapshot) => void;

const MAX_CHECKPOINTS = 50;
const SAMPLES = 5;

export class JobObserver {
  private readonly graph;
  private readonly startedAt: number;
  private readonly checkpoints: UiCheckpoint[] = [];
  private readonly restarts: UiRestart[] = [];
  private readonly listeners = new Set<Listener>();
  private previous: { at: number; values: MetricValues } | undefined;
  private latest: UiSnapshot | undefined;
  private status = 'starting';
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<UiSnapshot> | undefined;

  constructor(private readonly o: ObserverOptions) {
    this.graph = jobGraph(o.pipeline);
    this.startedAt = this.now();
  }

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  /** Ticks every `ms` until `stop`. */
  start(ms = 1000): void {
    this.timer ??= setInterval(() => void this.tick().catch(() => undefined), ms);
    this.timer.unref();
  }

  onSnapshot(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The last snapshot taken, if any. */
  current(): UiSnapshot | undefined {
    return this.latest;
  }

  // ---- what the engine tells (EngineOptions hooks) ----

  running(): void {
    this.status = 'running';
  }

  checkpoint(info: CheckpointInfo): void {
    this.checkpoints.push({ id: info.id, trigger: info.kind, durationMs: info.durationMs, bytes: info.bytes, outcome: 'completed', at: this.now() });
    if (this.checkpoints.length > MAX_CHECKPOINTS) this.checkpoints.shift();
  }

  attemptFailed(attempt: number, error: SluiceError, restarting: boolean): void {
    this.restarts.push({ attempt, at: this.now(), code: error.code, message: error.message, restarting });
    this.status = restarting ? 'restarting' : 'failed';
  }

  /** The job ended: a last snapshot with its status; ticking stops. */
  async finish(status: string): Promise<UiSnapshot> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking?.catch(() => undefined);
    this.status = status;
    return this.tick();
  }

  /** Takes a snapshot now and tells the listeners (one at a time). */
  tick(): Promise<UiSnapshot> {
    const run = (this.ticking ?? Promise.resolve()).catch(() => undefined).then(() => this.take());
    this.ticking = run;
    return run;
  }

  private async take(): Promise<UiSnapshot> {
    const at = this.now();
    const values = metricValues(await this.o.telemetry.collectMetrics());
    const snapshot = this.snapshotOf(at, values, {
      late: await lastLines(this.o.latePath, SAMPLES),
      deadLetter: await lastLines(this.o.deadLetterPath, SAMPLES),
    });
    this.previous = { at, values };
    this.latest = snapshot;
    for (const listener of this.listeners) listener(snapshot);
    return snapshot;
  }

  private snapshotOf(at: number, values: MetricValues, samples: UiSnapshot['samples']): UiSnapshot {
    const prev = this.previous;
    const seconds = prev ? (at - prev.at) / 1000 : 0;
    const queued = new Map<string, number>();
    for (const [edge, depth] of values.queues) queued.set(queueConsumer(edge), (queued.get(queueConsumer(edge)) ?? 0) + depth);
    const sourceIds = new Set(this.o.pipeline.sources.map((s) => s.id));
    let maxSourceWatermark = -Infinity;
    for (const id of sourceIds) maxSourceWatermark = Math.max(maxSourceWatermark, values.stages.get(id)?.watermark ?? -Infinity);
    const stages: Record<string, UiStage> = {};
    for (const node of this.graph.nodes) {
      const v = values.stages.get(node.id) ?? { recordsIn: 0, recordsOut: 0, late: 0, deadLettered: 0, busyMs: 0 };
      const before = prev?.values.stages.get(node.id);
      const stage: UiStage = {
        recordsIn: v.recordsIn,
        recordsOut: v.recordsOut,
        late: v.late,
        deadLettered: v.deadLettered,
        busyMs: v.busyMs,
        queued: queued.get(node.id) ?? 0,
        ...(seconds > 0 ? {
          rateIn: (v.recordsIn - (before?.recordsIn ?? 0)) / seconds,
          rateOut: (v.recordsOut - (before?.recordsOut ?? 0)) / seconds,
          busyRatio: Math.min(1, (v.busyMs - (before?.busyMs ?? 0)) / (seconds * 1000)),
        } : {}),
        ...(v.backpressure !== undefined ? { backpressure: v.backpressure } : {}),
        ...(v.watermark !== undefined ? { watermark: v.watermark } : {}),
        ...(v.watermark !== undefined && Number.isFinite(maxSourceWatermark) ? { eventTimeLagMs: Math.max(0, maxSourceWatermark - v.watermark) } : {}),
      };
      stages[node.id] = stage;
    }
    return {
      format: 'sluice.ui/v1',
      job: this.o.pipeline.name,
      runId: this.o.runId,
      status: this.status,
      startedAt: this.startedAt,
      updatedAt: at,
      seq: ++this.seq,
      nodes: this.graph.nodes,
      edges: this.graph.edges,
      stages,
      queues: Object.fromEntries(values.queues),
      checkpoints: [...this.checkpoints],
      declinedCheckpoints: values.checkpoints.declined,
      restarts: [...this.restarts],
      samples,
      ...(this.o.jaeger ? { jaeger: this.o.jaeger } : {}),
      pages: this.o.pages?.() ?? [],
    };
  }
}
