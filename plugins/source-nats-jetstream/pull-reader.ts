/**
 * Pulls messages of one JetStream pull consumer into a bounded buffer. A pull request is
 * sent only from a poll, once the previous request is complete and the buffer empty, for at
 * most the records the poll asks for: the buffer never holds more than one poll's worth, and
 * nothing is fetched while the runtime does not poll (back-pressure). A poll that takes the
 * buffer empty sends the next request at once, so the server delivers while the batch is
 * processed. Requests end on the server after
 * `maxWaitMs` (status 408) when fewer messages were there.
 */
import { createInbox } from '@nats-io/transport-node';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';

export class PullReader {
  private buffer: Msg[] = [];
  private expected = 0;
  private deadline = 0;
  private wake: (() => void) | undefined;
  private readonly inbox = createInbox();
  private sub: Subscription | undefined;
  /** The consumer is gone (deleted, or the server lost it): recreate it. */
  gone = false;
  /**
   * A request passed its expiry with no word from the server (not even its 408): the
   * consumer may be gone, since a pull to a missing consumer gets no answer at all.
   */
  unanswered = false;
  failure: Error | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly consumer: string,
    private readonly maxWaitMs: number,
  ) {}

  start(): void {
    this.sub = this.nc.subscribe(this.inbox, { callback: (err, msg) => this.receive(err, msg) });
  }

  private receive(err: Error | null, msg: Msg): void {
    this.unanswered = false;
    if (err) this.failure = err;
    else {
      const h = msg.headers;
      if (h && h.code > 0 && msg.data.length === 0) this.status(h.code, h.description);
      else {
        this.buffer.push(msg);
        if (this.expected > 0) this.expected--;
      }
    }
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private status(code: number, description: string): void {
    if (code === 100) return; // idle heartbeat or flow control
    this.expected = 0; // 404 no messages, 408 request expired, 409 and 503 end the request too
    if (code === 503 || (code === 409 && /consumer (was )?deleted/i.test(description))) this.gone = true;
  }

  /** Up to `max` messages: what is buffered, else what arrives within `waitMs` of a new request. */
  async take(max: number, waitMs: number): Promise<Msg[]> {
    if (this.buffer.length === 0) {
      if (this.expected > 0 && performance.now() > this.deadline) this.unanswered = true;
      if (this.expected === 0 || this.unanswered) this.request(max);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.wake = undefined;
          resolve();
        }, waitMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const out = this.buffer.length <= max ? this.buffer : this.buffer.splice(0, max);
    if (out === this.buffer) this.buffer = [];
    // Ask for the next batch while this one is processed: at most one request's worth waits here.
    if (this.buffer.length === 0 && out.length > 0 && this.expected === 0) this.request(max);
    return out;
  }

  private request(batch: number): void {
    this.expected = batch;
    // If the request's end status got lost (a reconnect), give up on it a little after expiry.
    this.deadline = performance.now() + this.maxWaitMs + 2_000;
    const body = JSON.stringify({ batch, expires: this.maxWaitMs * 1_000_000 });
    this.nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${this.stream}.${this.consumer}`, body, { reply: this.inbox });
  }

  /** Messages received and not taken yet (for tests). */
  get buffered(): number {
    return this.buffer.length;
  }

  stop(): void {
    this.sub?.unsubscribe();
    this.sub = undefined;
    this.buffer = [];
    this.expected = 0;
  }
}
