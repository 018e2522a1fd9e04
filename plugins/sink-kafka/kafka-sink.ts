/**
 * The `kafka` sink instance: each batch is encoded once (`codec.encodeEach`), keyed and
 * given headers by compiled templates, and sent in sends of `batch_size` messages (each cut
 * into requests of at most 1,024 by `chunkedSends`); `write` resolves when the broker acknowledged them. Retriable client errors
 * become `TransientSinkError` (the runtime retries with back-off and jitter), the others
 * `PermanentSinkError` (the batch is dead-lettered). At least once: a replay after a
 * restore sends again, under the same keys. With `exactly_once`, sends go through a
 * `TransactionalOutput` instead (transactional-output.ts), and any send error fails the
 * job, which restarts from its last checkpoint.
 */
import { context, propagation, trace, isSpanContextValid } from '@opentelemetry/api';
import { PermanentSinkError, TransientSinkError } from '../../core/api/index.ts';
import type { Batch, Codec, CompletedCheckpoint, EncodeOptions, Logger, SinkInstance, SinkWriteResult } from '../../core/api/index.ts';
import { KafkaClientError } from '../../lib/kafka-client/client.ts';
import { chunkedSends } from '../../lib/kafka-client/chunked-sends.ts';
import type { KafkaClientFactory, KafkaProducer, OutgoingMessage } from '../../lib/kafka-client/client.ts';
import type { Template } from './template.ts';
import { ACKS } from './spec.ts';
import type { KafkaSinkConfig } from './spec.ts';
import { checkpointMarker } from './checkpoint-marker.ts';
import { TransactionalOutput } from './transactional-output.ts';
import { ensureTopics } from '../../lib/kafka-client/ensure-topics.ts';

export interface KafkaSinkOptions {
  readonly id: string;
  readonly config: KafkaSinkConfig;
  readonly client: KafkaClientFactory;
  readonly codec: Codec;
  readonly encodeOptions: EncodeOptions;
  readonly key: Template | undefined;
  readonly headers: readonly (readonly [string, Template])[];
  readonly logger: Logger;
  /** With `exactly_once`: the transactional id (stable across restarts). */
  readonly transactionalId?: string;
}

/** The W3C trace context of the active span, as headers (empty when there is none). */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  const active = context.active();
  propagation.inject(active, carrier);
  if (carrier.traceparent === undefined) {
    // No global propagator registered: write the W3C header from the span context itself.
    const sc = trace.getSpanContext(active);
    if (sc && isSpanContextValid(sc)) carrier.traceparent = `00-${sc.traceId}-${sc.spanId}-0${(sc.traceFlags & 1).toString(16)}`;
  }
  return carrier;
}

/** Maps a client error to the runtime's sink error classes. */
export function classifySendError(error: unknown, topic: string): TransientSinkError | PermanentSinkError {
  const retriable = error instanceof KafkaClientError ? error.retriable : true;
  const code = error instanceof KafkaClientError ? ` [${error.kafkaCode}]` : '';
  const message = `kafka send to '${topic}' failed${code}: ${(error as Error)?.message ?? String(error)}`;
  return retriable ? new TransientSinkError(message, { cause: error }) : new PermanentSinkError(message, { cause: error });
}

export class KafkaSink implements SinkInstance {
  private producer: KafkaProducer | undefined;
  private transactional: TransactionalOutput | undefined;

  constructor(private readonly o: KafkaSinkOptions) {}

  private get transactionalId(): string {
    return this.o.transactionalId ?? `sluice.${this.o.id}`;
  }

  async open(_position: unknown): Promise<void> {
    const { config, client } = this.o;
    if (config.create_topics) {
      await ensureTopics(client, [{ topic: config.topic, partitions: config.create_topics.partitions, replicationFactor: config.create_topics.replication_factor }], this.o.logger);
    }
    const options = { idempotent: config.idempotent, acks: ACKS[config.acks], compression: config.compression, timeoutMs: config.ack_timeout };
    if (config.exactly_once) {
      const producer = chunkedSends(client.transactionalProducer({ ...options, transactionalId: this.transactionalId, transactionTimeoutMs: config.transaction_timeout }));
      this.transactional = new TransactionalOutput({ producer, topic: config.topic, batchSize: config.batch_size, maxHeldBytes: config.max_held_bytes, logger: this.o.logger });
      await this.transactional.start();
      return;
    }
    this.producer = chunkedSends(client.producer(options));
    await this.producer.connect();
  }

  async write(batch: Batch): Promise<SinkWriteResult | void> {
    const { codec, encodeOptions, key, headers, config } = this.o;
    // Taken synchronously, before the first await: the runtime's span for this batch.
    const tracing = traceHeaders();
    const { payloads, rejected: encodeRejected } = codec.encodeEach(batch, encodeOptions);
    let rejected: { index: number; error: unknown }[] | undefined = encodeRejected.length ? [...encodeRejected] : undefined;
    const shared = Object.keys(tracing).length ? tracing : undefined;
    const messages: OutgoingMessage[] = [];
    const { values } = batch;
    for (let i = 0; i < batch.length; i++) {
      const value = payloads[i];
      if (value === undefined) continue;
      const row = values[i]!;
      try {
        const k = key ? key.render(row) : null;
        if (headers.length === 0) {
          messages.push(shared ? { key: k, value, headers: shared } : { key: k, value });
          continue;
        }
        const h: Record<string, string> = shared ? { ...shared } : {};
        for (const [name, t] of headers) h[name] = t.render(row);
        messages.push({ key: k, value, headers: h });
      } catch (error) {
        (rejected ??= []).push({ index: i, error });
      }
    }
    if (rejected) rejected.sort((a, b) => a.index - b.index);
    if (this.transactional) {
      // Not classified: a send error inside a transaction fails the job (see the file comment).
      if (messages.length) await this.transactional.write(messages);
      return rejected ? { rejected } : undefined;
    }
    for (let from = 0; from < messages.length; from += config.batch_size) {
      const slice = from === 0 && messages.length <= config.batch_size ? messages : messages.slice(from, from + config.batch_size);
      try {
        await this.producer!.send(config.topic, slice);
      } catch (error) {
        throw classifySendError(error, config.topic);
      }
    }
    if (rejected) return { rejected };
  }

  /** Exactly once: the barrier; later writes wait for this checkpoint's transaction. */
  async checkpoint(): Promise<unknown> {
    return this.transactional ? this.transactional.seal() : undefined;
  }

  async onCheckpointComplete(position: unknown, checkpoint: CompletedCheckpoint): Promise<void> {
    const t = this.transactional;
    if (t) await t.complete(position, [...checkpoint.sourceOffsets, checkpointMarker(this.transactionalId, this.o.config.topic, checkpoint.id)]);
  }

  async onCheckpointAborted(): Promise<void> {
    await this.transactional?.abort();
  }

  async close(): Promise<void> {
    const p = this.producer;
    const t = this.transactional;
    this.producer = undefined;
    this.transactional = undefined;
    await p?.close();
    await t?.close();
  }
}
