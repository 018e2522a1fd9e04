/**
 * The NATS sink: one batch at a time, every message published before any ack is awaited.
 * Whole-batch failures (connection, timeout, no stream answering) are transient: the runtime
 * retries the batch, and `Nats-Msg-Id` makes the stream drop the messages it already stored.
 * Messages the stream refuses for good (a 4xx) are rejected and dead-lettered.
 */
import { PermanentSinkError, TransientSinkError } from '../../core/api/index.ts';
import type { Batch, SinkInstance, SinkWriteResult } from '../../core/api/index.ts';
import { activeTraceparent, classifyNatsError } from '../../lib/nats-client/index.ts';
import type { MessageBuilder } from './messages.ts';
import type { BatchPublisher } from './publisher.ts';

export class NatsSink implements SinkInstance {
  private publisher: BatchPublisher | undefined;

  constructor(
    private readonly builder: MessageBuilder,
    private readonly connect: () => Promise<BatchPublisher>,
    private readonly label: string,
  ) {}

  async open(): Promise<void> {
    this.publisher = await this.connect();
  }

  async write(batch: Batch): Promise<SinkWriteResult | void> {
    // Read before the first await: the caller's context is only active synchronously.
    const { messages, indices, rejected } = this.builder.build(batch, activeTraceparent());
    let failures;
    try {
      failures = await this.publisher!.publishBatch(messages);
    } catch (error) {
      throw toSinkError(error, `${this.label}: publishing ${messages.length} messages failed`);
    }
    const transient = failures.find((f) => f.kind === 'transient');
    if (transient) throw new TransientSinkError(`${this.label}: ${transient.error.message}`, { cause: transient.error });
    for (const f of failures) rejected.push({ index: indices[f.index]!, error: f.error });
    if (rejected.length) return { rejected: rejected.sort((a, b) => a.index - b.index) };
  }

  async close(): Promise<void> {
    const p = this.publisher;
    this.publisher = undefined;
    await p?.close();
  }
}

export function toSinkError(error: unknown, message: string): TransientSinkError | PermanentSinkError {
  const text = `${message}: ${(error as Error)?.message ?? String(error)}`;
  return classifyNatsError(error) === 'permanent' ? new PermanentSinkError(text, { cause: error }) : new TransientSinkError(text, { cause: error });
}
