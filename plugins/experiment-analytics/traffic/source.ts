/**
 * The `experiment_traffic` source instance: polls the generator and cuts its records into
 * chunks per (output, partition), keeping their order; a malformed record goes out as a
 * `payloads` chunk of its own run so the runtime's codec dead-letters it.
 */
import type { OutputPartition, Row, SourceChunk, SourceInstance } from 'sluice/api';
import { TrafficGenerator } from './generator.ts';
import type { Deliveries, TrafficPosition } from './generator.ts';
import type { TrafficConfig } from './spec.ts';

interface OpenChunk {
  output: string;
  partition: number;
  values?: Row[];
  payloads?: string[];
  times: number[];
  offsets: number[];
}

export function toChunks(d: Deliveries): SourceChunk[] {
  const chunks: OpenChunk[] = [];
  const current = new Map<string, OpenChunk>();
  for (let i = 0; i < d.length; i++) {
    const key = `${d.outputs[i]}/${d.partitions[i]}`;
    const payload = d.payloads[i];
    let chunk = current.get(key);
    if (!chunk || (payload === undefined) !== (chunk.values !== undefined)) {
      chunk = { output: d.outputs[i]!, partition: d.partitions[i]!, times: [], offsets: [] };
      if (payload === undefined) chunk.values = [];
      else chunk.payloads = [];
      current.set(key, chunk);
      chunks.push(chunk);
    }
    if (payload === undefined) chunk.values!.push(d.values[i]!);
    else chunk.payloads!.push(payload);
    chunk.times.push(d.times[i]!);
    chunk.offsets.push(d.offsets[i]!);
  }
  return chunks;
}

export class TrafficSource implements SourceInstance {
  private readonly generator: TrafficGenerator;

  constructor(private readonly config: TrafficConfig) {
    this.generator = new TrafficGenerator(config);
  }

  open(position: unknown): Promise<void> {
    if (position !== undefined) this.generator.seek(position as TrafficPosition);
    return Promise.resolve();
  }

  poll(maxRecords: number): Promise<SourceChunk[] | null> {
    if (this.generator.done) return Promise.resolve(null);
    const d = this.generator.next(Math.max(1, maxRecords));
    const chunks = toChunks(d);
    // Study mode publishes metadata once per wave: between waves that output must not hold
    // the job's watermark back.
    const metadataWatermark = this.generator.metadataWatermark();
    if (metadataWatermark !== undefined && d.length > 0) chunks.push({ output: 'metadata', partition: 0, values: [], times: [], offsets: [], watermark: metadataWatermark });
    return Promise.resolve(chunks);
  }

  position(): TrafficPosition {
    return this.generator.position();
  }

  /** Activations and actions on every partition (by user), metadata on partition 0 only. */
  partitions(): readonly OutputPartition[] {
    const byUser = Array.from({ length: this.config.partitions }, (_, partition) => partition);
    return [
      ...byUser.map((partition) => ({ output: 'activations', partition })),
      ...byUser.map((partition) => ({ output: 'actions', partition })),
      { output: 'metadata', partition: 0 },
    ];
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
