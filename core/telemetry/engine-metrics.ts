/**
 * The instruments the engine records, created once per job. Counters and histograms are
 * recorded once per batch with attribute objects built once per operator, so metrics cost
 * nothing per record. Gauges (watermark, queue depth, back-pressure) are observed: the
 * SDK reads them from the running job when a reader collects.
 *
 * Names follow docs/architecture.md §6: `sluice_records_in`, `sluice_records_out`,
 * `sluice_records_late`, `sluice_records_dead_lettered` (attribute `operator`, which is
 * also a source or sink id for what those count), `sluice_processing_latency_ms`,
 * `sluice_watermark_ms`, `sluice_watermark_lag_ms` (how far an operator's watermark trails
 * the newest event time its sources read), `sluice_end_to_end_latency_ms` (sinks: from the
 * read of a batch's oldest record to its write), `sluice_queue_depth` (attribute `edge`), `sluice_backpressure_ratio`
 * (share of time a source waited on full queues), `sluice_alignment_paused_partitions` (per
 * aligned source), `sluice_sink_retries` (retried writes of a
 * sink, attribute `operator` = the sink's id), `sluice_checkpoint_*`, `sluice_restarts`.
 * Scraped through Prometheus, counters carry the `_total` suffix. A job run as tasks shares one
 * meter per process; each task's instruments carry the attribute `task` (`task-<p>`).
 */
import type { Attributes, Counter, Histogram, Meter, ObservableGauge, ObservableCallback } from '@opentelemetry/api';

/** What the observable gauges read from the job. */
export interface GaugeReadings {
  /** Current watermark by operator (and source) id; non-finite ones are skipped. */
  watermarks(): Iterable<readonly [string, number]>;
  /** Watermark lag behind the newest event time read upstream, by operator id (only where both are known). */
  watermarkLags?(): Iterable<readonly [string, number]>;
  /** Batches queued per edge. */
  queueDepths(): Iterable<readonly [string, number]>;
  /** Share of time each source spent waiting on back-pressure, 0 to 1. */
  backpressure(): Iterable<readonly [string, number]>;
  /** Approximate bytes of keyed state. */
  stateBytes(): number | undefined;
  /** Partitions paused by watermark alignment, per aligned source. */
  alignmentPaused?(): Iterable<readonly [string, number]>;
}

/** Per-stage recorder with its attributes bound once. */
export interface StageMetrics {
  readonly attributes: Attributes;
  recordBatch(recordsIn: number, recordsOut: number, processingMs: number): void;
  late(n: number): void;
  deadLettered(n: number): void;
  /** A sink write failed and will be retried. */
  retried(n: number): void;
  /** A sink wrote a batch whose oldest record was read `ms` ago. */
  endToEnd(ms: number): void;
}

export class EngineMetrics {
  private readonly recordsIn: Counter;
  private readonly recordsOut: Counter;
  private readonly recordsLate: Counter;
  private readonly recordsDead: Counter;
  private readonly latency: Histogram;
  private readonly checkpointDuration: Histogram;
  private readonly checkpointBytes: Histogram;
  private readonly checkpoints: Counter;
  private readonly restarts: Counter;
  private readonly sinkRetries: Counter;
  private readonly endToEndLatency: Histogram;
  private readonly callbacks: [ObservableGauge, ObservableCallback][] = [];

  constructor(
    private readonly meter: Meter,
    /** Attributes of every measurement: `{ task }` for one task of a job run as tasks. */
    private readonly base: Attributes = {},
  ) {
    this.recordsIn = meter.createCounter('sluice_records_in', { description: 'Records received, per operator (sources: records admitted).' });
    this.recordsOut = meter.createCounter('sluice_records_out', { description: 'Records emitted, per operator (sinks: records written).' });
    this.recordsLate = meter.createCounter('sluice_records_late', { description: 'Records sent to the late output, per operator.' });
    this.recordsDead = meter.createCounter('sluice_records_dead_lettered', { description: 'Records sent to the dead-letter output, per operator.' });
    this.latency = meter.createHistogram('sluice_processing_latency_ms', { description: 'Time to process one batch, per operator.', unit: 'ms' });
    this.checkpointDuration = meter.createHistogram('sluice_checkpoint_duration_ms', { description: 'Duration of completed checkpoints.', unit: 'ms' });
    this.checkpointBytes = meter.createHistogram('sluice_checkpoint_bytes', { description: 'Bytes written by completed checkpoints.', unit: 'By' });
    this.checkpoints = meter.createCounter('sluice_checkpoints', { description: 'Checkpoint attempts, by outcome (completed, declined).' });
    this.restarts = meter.createCounter('sluice_restarts', { description: 'Restarts of the job from its last checkpoint.' });
    this.sinkRetries = meter.createCounter('sluice_sink_retries', { description: 'Sink writes that failed and are retried with back-off, per sink (attribute operator).' });
    this.endToEndLatency = meter.createHistogram('sluice_end_to_end_latency_ms', { description: 'Per sink: from the read of a written batch\'s oldest record (its source poll) to the write.', unit: 'ms' });
  }

  stage(id: string, kind: string): StageMetrics {
    const attributes: Attributes = { ...this.base, operator: id, kind };
    const { recordsIn, recordsOut, recordsLate, recordsDead, latency, sinkRetries, endToEndLatency } = this;
    return {
      attributes,
      recordBatch(nIn, nOut, ms) {
        if (nIn) recordsIn.add(nIn, attributes);
        if (nOut) recordsOut.add(nOut, attributes);
        latency.record(ms, attributes);
      },
      late(n) {
        if (n) recordsLate.add(n, attributes);
      },
      deadLettered(n) {
        if (n) recordsDead.add(n, attributes);
      },
      retried(n) {
        if (n) sinkRetries.add(n, attributes);
      },
      endToEnd(ms) {
        endToEndLatency.record(ms, attributes);
      },
    };
  }

  checkpoint(outcome: 'completed' | 'declined', durationMs: number, bytes: number): void {
    this.checkpoints.add(1, { ...this.base, outcome });
    if (outcome === 'completed') {
      this.checkpointDuration.record(durationMs, this.base);
      this.checkpointBytes.record(bytes, this.base);
    }
  }

  restart(): void {
    this.restarts.add(1, this.base);
  }

  /** Stops observing the job's gauges (the job, or the task, ended). */
  close(): void {
    for (const [gauge, callback] of this.callbacks.splice(0)) gauge.removeCallback(callback);
  }

  /** Registers the gauges; call once per job. */
  observe(readings: GaugeReadings): void {
    const watermark = this.meter.createObservableGauge('sluice_watermark_ms', { description: 'Current watermark, per operator and source.', unit: 'ms' });
    const depth = this.meter.createObservableGauge('sluice_queue_depth', { description: 'Batches waiting on each edge of the graph.' });
    const pressure = this.meter.createObservableGauge('sluice_backpressure_ratio', { description: 'Share of time a source waited on full queues.' });
    const state = this.meter.createObservableGauge('sluice_state_bytes', { description: 'Approximate bytes of keyed state.', unit: 'By' });
    const base = this.base;
    const add = (gauge: ObservableGauge, callback: ObservableCallback): void => {
      gauge.addCallback(callback);
      this.callbacks.push([gauge, callback]);
    };
    add(watermark, (r) => {
      for (const [id, w] of readings.watermarks()) if (Number.isFinite(w)) r.observe(w, { ...base, operator: id });
    });
    const lags = readings.watermarkLags;
    if (lags) {
      const lag = this.meter.createObservableGauge('sluice_watermark_lag_ms', { description: 'How far an operator\'s watermark trails the newest event time its upstream sources have read.', unit: 'ms' });
      add(lag, (r) => {
        for (const [id, ms] of lags()) r.observe(ms, { ...base, operator: id });
      });
    }
    add(depth, (r) => {
      for (const [edge, d] of readings.queueDepths()) r.observe(d, { ...base, edge });
    });
    add(pressure, (r) => {
      for (const [id, ratio] of readings.backpressure()) r.observe(ratio, { ...base, operator: id });
    });
    add(state, (r) => {
      const bytes = readings.stateBytes();
      if (bytes !== undefined) r.observe(bytes, base);
    });
    const alignmentPaused = readings.alignmentPaused;
    if (alignmentPaused) {
      const paused = this.meter.createObservableGauge('sluice_alignment_paused_partitions', { description: 'Partitions of a source paused by watermark alignment (all of them while the source is held as a whole).' });
      add(paused, (r) => {
        for (const [id, n] of alignmentPaused()) r.observe(n, { operator: id });
      });
    }
  }
}
