/**
 * The JetStream source. Delivery scheme: the stream sequence is the position. `position()`
 * is the sequence of the last message returned; `open(position)` creates a consumer that
 * delivers from position + 1. A restore therefore re-reads exactly the messages after the
 * checkpoint, with no dependence on ack timers. Within one run a message is returned once:
 * a redelivery (a durable consumer's ack wait passing) has a sequence at or below the last
 * one returned and is dropped.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { Row, SourceChunk, SourceInstance } from '../../core/api/index.ts';
import { closeNats, connectNats, headersToRow, parseAckSubject } from '../../lib/nats-client/index.ts';
import { consumerExists, createConsumer, deleteConsumer, ensureStream, manager, startAfter } from './consumer.ts';
import { PullReader } from './pull-reader.ts';
import { traceparentProbes, traceparentsIn } from '../../core/api/index.ts';
import type { JetStreamSourceConfig } from './spec.ts';

export class JetStreamSource implements SourceInstance {
  private nc: NatsConnection | undefined;
  private jsm: JetStreamManager | undefined;
  private reader: PullReader | undefined;
  private lastSeq = 0;
  private lastReply: string | undefined;
  /** Ack subject of the last message at each position handed to a checkpoint (durable only). */
  private readonly ackAt = new Map<number, string>();
  private readonly consumerName: string;

  constructor(
    private readonly config: JetStreamSourceConfig,
    private readonly clientName: string,
  ) {
    this.consumerName = config.durable ?? `sluice_${clientName.replace(/[^A-Za-z0-9_-]/g, '_')}_${Math.random().toString(36).slice(2, 10)}`;
  }

  async open(position: unknown): Promise<void> {
    this.nc = await connectNats(this.config, this.clientName);
    this.jsm = await manager(this.nc);
    await ensureStream(this.jsm, this.config);
    this.lastSeq = await startAfter(this.jsm, this.config, position);
    await this.startReader();
  }

  private async startReader(): Promise<void> {
    this.reader?.stop();
    await createConsumer(this.jsm!, this.config, this.consumerName, this.lastSeq);
    this.reader = new PullReader(this.nc!, this.config.stream, this.consumerName, this.config.max_wait);
    this.reader.start();
  }

  async poll(maxRecords: number): Promise<SourceChunk[]> {
    const reader = this.reader!;
    const msgs = await reader.take(maxRecords, this.config.poll_wait);
    if (reader.failure) throw reader.failure;
    const payloads: Uint8Array[] = [];
    const times: number[] = [];
    const offsets: number[] = [];
    const meta: Row[] = [];
    for (const m of msgs) {
      const info = parseAckSubject(m.reply);
      if (!info || info.streamSeq <= this.lastSeq) continue;
      this.lastSeq = info.streamSeq;
      this.lastReply = m.reply;
      payloads.push(m.data);
      times.push(info.timestampMs);
      offsets.push(info.streamSeq);
      meta.push({ subject: m.subject, headers: headersToRow(m.headers), stream_seq: info.streamSeq });
    }
    // A consumer removed under us (inactivity, an operator) is recreated where we are.
    if (payloads.length === 0 && (reader.gone || reader.unanswered)) {
      reader.unanswered = false;
      if (reader.gone || !(await consumerExists(this.jsm!, this.config.stream, this.consumerName))) await this.startReader();
    }
    if (!payloads.length) return [];
    // The producers' trace contexts, from a few messages spread over the poll (span links).
    const traceparents = traceparentsIn(traceparentProbes(meta.length, (i) => traceparentOf(meta[i]!['headers'])));
    return [{ partition: this.config.stream, payloads, times, offsets, meta, ...(traceparents ? { traceparents } : {}) }];
  }

  position(): number {
    if (this.config.durable && this.lastReply !== undefined) {
      this.ackAt.set(this.lastSeq, this.lastReply);
      this.lastReply = undefined;
    }
    return this.lastSeq;
  }

  /** With a durable consumer, acks everything up to the checkpointed sequence (ack policy all). */
  onCheckpointComplete(position: unknown): Promise<void> {
    if (!this.config.durable || typeof position !== 'number') return Promise.resolve();
    const reply = this.ackAt.get(position);
    for (const seq of this.ackAt.keys()) if (seq <= position) this.ackAt.delete(seq);
    if (reply && this.nc && !this.nc.isClosed()) this.nc.publish(reply, '+ACK');
    return Promise.resolve();
  }

  partitions(): readonly string[] {
    return [this.config.stream];
  }

  async close(): Promise<void> {
    this.reader?.stop();
    this.reader = undefined;
    if (this.jsm && !this.config.durable) await deleteConsumer(this.jsm, this.config.stream, this.consumerName).catch(() => undefined);
    await closeNats(this.nc);
    this.nc = undefined;
  }
}

function traceparentOf(headers: unknown): string | undefined {
  const v = (headers as Record<string, string | string[]> | undefined)?.['traceparent'];
  return Array.isArray(v) ? v[v.length - 1] : v || undefined;
}
