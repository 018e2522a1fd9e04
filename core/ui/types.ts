/**
 * What the job web UI shows: one `UiSnapshot`, made by the running job's observer once a
 * second (pushed to pages over server-sent events, and written to the run folder as
 * `ui.json`), or read back from that file by `sluice ui <run folder>`. Plain JSON; the page
 * (core/ui/web/) imports these types only.
 */

export type NodeKind = 'source' | 'operator' | 'sink' | 'late' | 'dead_letter';

export interface UiNode {
  readonly id: string;
  readonly kind: NodeKind;
  /** The plugin's name (`keyed_process`, `file`). */
  readonly plugin: string;
}

export interface UiEdge {
  readonly from: string;
  readonly to: string;
  /** The named output the edge carries, if not the main one. */
  readonly output?: string;
}

/** Per source, operator and sink: the counters of `/metrics` and what the page derives. */
export interface UiStage {
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly late: number;
  readonly deadLettered: number;
  /** Records per second over the last interval (absent on the first snapshot). */
  readonly rateIn?: number;
  readonly rateOut?: number;
  /** Milliseconds spent processing batches so far (sum of `sluice_processing_latency_ms`). */
  readonly busyMs: number;
  /** Share of the last interval spent processing, 0 to 1. */
  readonly busyRatio?: number;
  /** Sources: share of the last interval spent waiting on full queues (`sluice_backpressure_ratio`). */
  readonly backpressure?: number;
  /** Current watermark, epoch ms (absent while −∞). */
  readonly watermark?: number;
  /** How far the watermark is behind the most advanced source watermark, ms. */
  readonly eventTimeLagMs?: number;
  /** Batches waiting on the stage's input edges. */
  readonly queued: number;
}

export interface UiCheckpoint {
  readonly id: number;
  /** What triggered it: periodic, shutdown, final, manual, savepoint. */
  readonly trigger: string;
  readonly durationMs: number;
  readonly bytes: number;
  readonly outcome: 'completed' | 'declined';
  readonly at: number;
}

export interface UiRestart {
  /** 0-based attempt that failed. */
  readonly attempt: number;
  readonly at: number;
  readonly code: string;
  readonly message: string;
  readonly restarting: boolean;
}

export interface UiSnapshot {
  readonly format: 'sluice.ui/v1';
  readonly job: string;
  readonly runId: string;
  /** running, finished, stopped, failed; `crashed` when read back from a run that never wrote its end. */
  readonly status: string;
  readonly startedAt: number;
  readonly updatedAt: number;
  /** Increases with each snapshot of a run. */
  readonly seq: number;
  readonly nodes: readonly UiNode[];
  readonly edges: readonly UiEdge[];
  readonly stages: Readonly<Record<string, UiStage>>;
  /** Batches waiting per edge (`sluice_queue_depth`). */
  readonly queues: Readonly<Record<string, number>>;
  readonly checkpoints: readonly UiCheckpoint[];
  readonly declinedCheckpoints: number;
  readonly restarts: readonly UiRestart[];
  /** The last few lines of the late and dead-letter files, when they are files. */
  readonly samples: { readonly late: readonly string[]; readonly deadLetter: readonly string[] };
  /** Per operator id, its spans in Jaeger (when tracing goes over OTLP). */
  readonly jaeger?: Readonly<Record<string, string>>;
  /** Pages plugin packages contribute whose data the run folder holds (contributed-pages.ts). */
  readonly pages: readonly UiPageLink[];
}

/** A contributed page the job page links to: `/<name>`, link text `link`. */
export interface UiPageLink {
  readonly name: string;
  readonly link: string;
}
