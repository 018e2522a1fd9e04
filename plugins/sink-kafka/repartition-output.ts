/**
 * The output that ends a stage cut at a `repartition` operator (core/runtime/scale/stages.ts):
 * it writes each record to the internal topic, to the partition of its repartition key (the
 * producer's murmur2 partitioner, so a key's partition is its key group), with its event time,
 * packed many to a message (packed-records.ts), exactly once: through a `TransactionalOutput` whose transaction the
 * stage's checkpoint commits together with its Kafka sources' offsets (exactly-once.ts).
 *
 * Watermarks cross in-band (docs/architecture.md §5): the output writes a control record
 * (this task's index and its input watermark, control-record.ts) to every partition of the
 * topic when the watermark advanced and `watermarkIntervalMs` passed since the last one, at
 * every checkpoint barrier (so each committed transaction ends with the watermark its data
 * reached), and at once at end of input (+∞). Every partition gets it, whether this task
 * wrote data there or not, so no downstream task waits for an upstream task that is idle
 * towards it.
 *
 * At a savepoint's barrier (a job run as tasks stopping with a savepoint) the control record
 * also names the savepoint, on every partition of every repartition topic of the stage task,
 * inside the savepoint's transaction: each output writes its own at the barrier and the
 * leader seals after every output's (shared-output.ts), so the downstream task knows where
 * this task stopped.
 */
import type { Batch, CheckpointBarrierInfo, Codec, CompletedCheckpoint, Logger, Row, SinkInstance, SinkWriteResult } from '../../core/api/index.ts';
import type { KafkaClientFactory, OutgoingMessage } from '../../lib/kafka-client/client.ts';
import { encodeControl } from '../../lib/kafka-client/control-record.ts';
import { KeyPartitioner } from '../../lib/kafka-client/key-partitioner.ts';
import { packedLine, packLines } from '../../lib/kafka-client/packed-records.ts';
import { ACKS } from './spec.ts';
import type { KafkaSinkConfig } from './spec.ts';
import { checkpointMarker } from './checkpoint-marker.ts';
import { chunkedSends } from '../../lib/kafka-client/chunked-sends.ts';
import { acquireOutput } from './shared-output.ts';
import type { SharedOutput } from './shared-output.ts';
import { TransactionalOutput } from './transactional-output.ts';

export interface RepartitionOutputOptions {
  /** The internal topic, its settings (`exactly_once` is implied). */
  readonly config: KafkaSinkConfig;
  readonly client: KafkaClientFactory;
  readonly codec: Codec;
  /** The stage task's transactional id, shared by its repartition outputs (shared-output.ts). */
  readonly transactionalId: string;
  /** The stage's first output: it seals, commits and aborts the shared transaction. */
  readonly leader: boolean;
  /** The repartition key's fields (dotted paths). */
  readonly key: readonly string[];
  /** Partitions of the topic (the job's task count). */
  readonly partitions: number;
  /** This upstream task's index, named in its control records. */
  readonly task: number;
  readonly logger: Logger;
  readonly watermarkIntervalMs?: number;
  readonly now?: () => number;
}

/** The message key of a record: the key field's text, or the fields' values as a JSON array. */
export function keyText(row: Row, paths: readonly (readonly string[])[]): string {
  if (paths.length === 1) {
    const v = valueAt(row, paths[0]!);
    return typeof v === 'string' ? v : JSON.stringify(v) ?? 'null';
  }
  return JSON.stringify(paths.map((p) => valueAt(row, p) ?? null));
}

function valueAt(row: Row, path: readonly string[]): unknown {
  let value: unknown = row;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export class RepartitionOutput implements SinkInstance {
  private output: SharedOutput | undefined;
  private readonly paths: readonly (readonly string[])[];
  private readonly partitioner: KeyPartitioner;
  private readonly now: () => number;
  /** The input watermark, and the one last written to the topic. */
  private watermark = Number.NEGATIVE_INFINITY;
  private published = Number.NEGATIVE_INFINITY;
  private publishedAt = Number.NEGATIVE_INFINITY;
  /** Control records written, for tests and logs. */
  controls = 0;

  constructor(private readonly o: RepartitionOutputOptions) {
    this.paths = o.key.map((k) => k.split('.'));
    this.partitioner = new KeyPartitioner(o.partitions);
    this.now = o.now ?? Date.now;
  }

  async open(_position: unknown): Promise<void> {
    const { config } = this.o;
    const producer = () => chunkedSends(this.o.client.transactionalProducer({
      idempotent: true, acks: ACKS.all, compression: config.compression, timeoutMs: config.ack_timeout,
      transactionalId: this.o.transactionalId, transactionTimeoutMs: config.transaction_timeout,
    }));
    this.output = await acquireOutput(this.o.transactionalId, () => new TransactionalOutput({ producer: producer(), topic: config.topic, batchSize: config.batch_size, maxHeldBytes: config.max_held_bytes, logger: this.o.logger }), this.o.leader);
  }

  /**
   * Records go out packed (packed-records.ts): per partition of the topic, the batch's
   * records as `<time>\t<payload>` lines, up to 1,024 to a message. The partition is the one
   * the record's key would get from the producer's default partitioner (key-partitioner.ts).
   */
  async write(batch: Batch): Promise<SinkWriteResult | void> {
    const { payloads, rejected } = this.o.codec.encodeEach(batch);
    const lines: (string[] | undefined)[] = new Array(this.o.partitions);
    const latest: number[] = new Array(this.o.partitions).fill(-1);
    const { values, times } = batch;
    for (let i = 0; i < batch.length; i++) {
      const value = payloads[i];
      if (value === undefined) continue;
      const t = times[i]!;
      const p = this.partitioner.partitionOf(keyText(values[i]!, this.paths));
      (lines[p] ??= []).push(packedLine(t, value));
      if (t > latest[p]! && Number.isSafeInteger(t)) latest[p] = t;
    }
    const messages: OutgoingMessage[] = [];
    for (let p = 0; p < lines.length; p++) {
      const own = lines[p];
      if (!own) continue;
      // The message's Kafka timestamp: its latest event time (Kafka's are non-negative ms), for time-based retention.
      for (const value of packLines(own)) messages.push(latest[p]! >= 0 ? { key: null, value, partition: p, timestamp: latest[p]! } : { key: null, value, partition: p });
    }
    if (messages.length) await this.output!.write(messages, this.o.config.topic);
    return rejected.length ? { rejected } : undefined;
  }

  async onWatermark(watermark: number): Promise<void> {
    this.watermark = watermark;
    const due = watermark === Number.POSITIVE_INFINITY || this.now() - this.publishedAt >= (this.o.watermarkIntervalMs ?? 1000);
    if (due) await this.publish();
  }

  /**
   * The barrier, reached by each output behind its own earlier writes: it writes the
   * watermark it reached (and a savepoint's marker) into this checkpoint's transaction and
   * cuts there (what it writes next waits for the seal, shared-output.ts); the leader then
   * seals once every output of the stage task has cut, and its seal is the position.
   */
  async checkpoint(barrier?: CheckpointBarrierInfo): Promise<unknown> {
    await this.publish(barrier?.savepoint);
    this.output!.cut();
    return this.o.leader ? this.output!.seal() : undefined;
  }

  async onCheckpointComplete(position: unknown, checkpoint: CompletedCheckpoint): Promise<void> {
    if (this.o.leader) await this.output!.output.complete(position, [...checkpoint.sourceOffsets, checkpointMarker(this.o.transactionalId, this.o.config.topic, checkpoint.id)]);
  }

  async onCheckpointAborted(): Promise<void> {
    if (this.o.leader) await this.output!.abort();
  }

  async close(): Promise<void> {
    const out = this.output;
    this.output = undefined;
    await out?.release();
  }

  /** One control record per partition with the current watermark, when it moved since the last or a savepoint is named. */
  private async publish(savepoint?: string): Promise<void> {
    if (this.watermark <= this.published && savepoint === undefined) return;
    const value = encodeControl({ task: this.o.task, watermark: this.watermark, ...(savepoint !== undefined ? { savepoint } : {}) });
    const messages: OutgoingMessage[] = [];
    for (let partition = 0; partition < this.o.partitions; partition++) messages.push({ key: null, value, partition });
    await this.output!.write(messages, this.o.config.topic);
    this.published = this.watermark;
    this.publishedAt = this.now();
    this.controls += messages.length;
  }
}
