/**
 * The source's own gauges, read when metrics are collected (never on the hot path):
 * `sluice_kafka_consumer_paused` (1 while a partition is paused because its buffer is full)
 * and `sluice_kafka_consumer_lag` (high watermark − next offset to return, in records), per
 * partition, with attributes `source` (the block id), `topic` and `partition`.
 */
import type { Attributes, Meter, ObservableGauge, ObservableResult } from '@opentelemetry/api';

export interface PartitionReading {
  readonly topic: string;
  readonly partition: number;
  readonly paused: boolean;
  /** Undefined until the partition's high watermark and position are known. */
  readonly lag: number | undefined;
}

export const PAUSED_GAUGE = 'sluice_kafka_consumer_paused';
export const LAG_GAUGE = 'sluice_kafka_consumer_lag';

export class KafkaSourceMetrics {
  private readonly paused: ObservableGauge;
  private readonly lag: ObservableGauge;
  private readonly onPaused: (r: ObservableResult) => void;
  private readonly onLag: (r: ObservableResult) => void;

  constructor(meter: Meter, source: string, readings: () => Iterable<PartitionReading>) {
    this.paused = meter.createObservableGauge(PAUSED_GAUGE, { description: 'Kafka partitions paused because the source buffer is full (1 paused, 0 fetching).' });
    this.lag = meter.createObservableGauge(LAG_GAUGE, { description: 'Kafka consumer lag per partition: high watermark minus the next offset the source returns.', unit: '{record}' });
    const attrs = (r: PartitionReading): Attributes => ({ source, topic: r.topic, partition: r.partition });
    this.onPaused = (result) => {
      for (const r of readings()) result.observe(r.paused ? 1 : 0, attrs(r));
    };
    this.onLag = (result) => {
      for (const r of readings()) if (r.lag !== undefined) result.observe(r.lag, attrs(r));
    };
    this.paused.addCallback(this.onPaused);
    this.lag.addCallback(this.onLag);
  }

  close(): void {
    this.paused.removeCallback(this.onPaused);
    this.lag.removeCallback(this.onLag);
  }
}
