/**
 * Publishing one batch of messages. The sink talks to this interface; `NatsPublisher` is the
 * real one, tests use an in-memory fake.
 *
 * JetStream: every message is published at once with its own reply subject under one
 * inbox; one subscription counts the acks and one Promise per batch resolves when all are
 * in (no Promise per message, no await per message).
 */
import { createInbox, headers as natsHeaders } from '@nats-io/transport-node';
import type { Msg, MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';
import { classifyNatsError, jetStreamStatusClass } from '../../lib/nats-client/index.ts';
import type { NatsErrorClass } from '../../lib/nats-client/index.ts';

export interface OutMessage {
  readonly subject: string;
  readonly payload: string;
  /** Header name → value; undefined when none. */
  readonly headers: Readonly<Record<string, string>> | undefined;
}

/** A message the target refused, by index in the published array. */
export interface PublishFailure {
  readonly index: number;
  readonly kind: NatsErrorClass;
  readonly error: Error;
}

export interface BatchPublisher {
  /** Publishes all; resolves with the refused ones once every ack (or the flush) is in. Throws for the batch as a whole. */
  publishBatch(messages: readonly OutMessage[]): Promise<PublishFailure[]>;
  close(): Promise<void>;
}

/** Error names here match the client's, so `classifyNatsError` treats them alike. */
function timeoutError(message: string): Error {
  const e = new Error(message);
  e.name = 'TimeoutError';
  return e;
}

/** A message the client would not send: a closed connection fails the batch, anything else only this message. */
function refused(index: number, error: unknown): PublishFailure {
  const e = error instanceof Error ? error : new Error(String(error));
  if (classifyNatsError(e) === 'transient') throw e;
  return { index, kind: 'permanent', error: e };
}

function toHeaders(h: Readonly<Record<string, string>> | undefined): MsgHdrs | undefined {
  if (!h) return undefined;
  const out = natsHeaders();
  for (const name in h) out.set(name, h[name]!);
  return out;
}

interface Pending {
  readonly id: number;
  remaining: number;
  readonly failures: PublishFailure[];
  duplicates: number;
  readonly done: () => void;
}

export class NatsPublisher implements BatchPublisher {
  private readonly inbox = createInbox();
  private sub: Subscription | undefined;
  private pending: Pending | undefined;
  private batches = 0;
  /** Acks that said `duplicate` (the stream already had the `Nats-Msg-Id`), since start. */
  duplicates = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jetstream: boolean,
    private readonly timeoutMs: number,
  ) {
    if (jetstream) this.sub = nc.subscribe(`${this.inbox}.>`, { callback: (_err, msg) => this.onAck(msg) });
  }

  async publishBatch(messages: readonly OutMessage[]): Promise<PublishFailure[]> {
    if (messages.length === 0) return [];
    if (!this.jetstream) {
      const failures: PublishFailure[] = [];
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i]!;
        try {
          this.nc.publish(m.subject, m.payload, { headers: toHeaders(m.headers) });
        } catch (error) {
          failures.push(refused(i, error));
        }
      }
      await this.withTimeout(this.nc.flush(), 'flush');
      return failures;
    }
    const id = ++this.batches;
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    const p: Pending = { id, remaining: messages.length, failures: [], duplicates: 0, done };
    this.pending = p;
    const prefix = `${this.inbox}.${id}.`;
    try {
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i]!;
        try {
          this.nc.publish(m.subject, m.payload, { reply: prefix + i, headers: toHeaders(m.headers) });
        } catch (error) {
          // Refused by the client before sending (larger than the server's max_payload):
          // no ack will come for it.
          p.failures.push(refused(i, error));
          if (--p.remaining === 0) p.done();
        }
      }
      await this.withTimeout(all, `acks of ${messages.length} messages`);
    } finally {
      this.pending = undefined;
    }
    this.duplicates += p.duplicates;
    return p.failures.sort((a, b) => a.index - b.index);
  }

  private onAck(msg: Msg): void {
    const p = this.pending;
    if (!p) return;
    const rest = msg.subject.slice(this.inbox.length + 1);
    const dot = rest.indexOf('.');
    // An ack of an earlier, timed-out batch: that batch is being retried as a whole.
    if (Number(rest.slice(0, dot)) !== p.id) return;
    const index = Number(rest.slice(dot + 1));
    const code = msg.headers?.code ?? 0;
    if (code === 503) {
      const e = new Error(`no stream captures '${msg.subject}' (no responders)`);
      e.name = 'NoResponders';
      p.failures.push({ index, kind: 'transient', error: e });
    } else {
      const ack = msg.json<{ error?: { code: number; err_code?: number; description: string }; duplicate?: boolean }>();
      if (ack.error) {
        const e = new Error(`JetStream refused the message: ${ack.error.description} (${ack.error.code}${ack.error.err_code ? `/${ack.error.err_code}` : ''})`);
        p.failures.push({ index, kind: jetStreamStatusClass(ack.error.code), error: e });
      } else if (ack.duplicate) p.duplicates++;
    }
    if (--p.remaining === 0) p.done();
  }

  private async withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timeoutError(`timed out after ${this.timeoutMs} ms waiting for ${what}`)), this.timeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    this.sub?.unsubscribe();
    this.sub = undefined;
    return Promise.resolve();
  }
}
