/**
 * Turns a batch into messages: encoded payloads (the block's codec, one per record), the
 * subject (template or CEL), headers, `Nats-Msg-Id` and `traceparent`. A record whose
 * subject or header cannot be made is rejected (dead-lettered), the others go on.
 */
import { RecordError } from '../../core/api/index.ts';
import type { Batch, Codec, CompiledExpression, EncodeOptions, Row } from '../../core/api/index.ts';
import { compileTemplate } from '../../lib/nats-client/index.ts';
import type { Template } from '../../lib/nats-client/index.ts';
import type { OutMessage } from './publisher.ts';
import type { NatsSinkConfig } from './spec.ts';

export interface Rejection {
  readonly index: number;
  readonly error: unknown;
}

export interface BuiltMessages {
  readonly messages: OutMessage[];
  /** `indices[k]` is the batch index of `messages[k]`. */
  readonly indices: number[];
  readonly rejected: Rejection[];
}

/** A valid subject to publish to: tokens of visible characters, no wildcards. */
const SUBJECT = /^[^\s.*>]+(\.[^\s.*>]+)*$/;
const HEADER_VALUE = /[\r\n]/;

export class MessageBuilder {
  private readonly subject: (row: Row) => unknown;
  private readonly headers: readonly [string, Template][];
  private readonly msgId: Template | undefined;

  constructor(
    config: NatsSinkConfig,
    private readonly codec: Codec,
    private readonly encodeOptions: EncodeOptions,
    compile: (source: string) => CompiledExpression,
  ) {
    if (config.subject !== undefined) this.subject = compileTemplate(config.subject);
    else {
      const expr = compile(config.subject_expr!);
      this.subject = (row) => expr.evaluate(row);
    }
    this.headers = Object.entries(config.headers ?? {}).map(([name, t]) => [name, compileTemplate(t)] as [string, Template]);
    this.msgId = config.msg_id === undefined ? undefined : compileTemplate(config.msg_id);
  }

  /** `traceparent` is the caller's active trace context, read once per batch. */
  build(batch: Batch, traceparent: string | undefined): BuiltMessages {
    const { payloads, rejected } = this.codec.encodeEach(batch, this.encodeOptions);
    const out: BuiltMessages = { messages: [], indices: [], rejected: [...rejected] };
    const withHeaders = this.headers.length > 0 || this.msgId !== undefined || traceparent !== undefined;
    for (let i = 0; i < batch.length; i++) {
      const payload = payloads[i];
      if (payload === undefined) continue;
      const row = batch.values[i]!;
      try {
        const subject = this.subject(row);
        if (typeof subject !== 'string' || !SUBJECT.test(subject)) {
          throw new RecordError('bad_subject', `not a subject to publish to: ${JSON.stringify(subject)}`);
        }
        out.messages.push({ subject, payload, headers: withHeaders ? this.headersOf(row, traceparent) : undefined });
        out.indices.push(i);
      } catch (error) {
        out.rejected.push({ index: i, error });
      }
    }
    return out;
  }

  private headersOf(row: Row, traceparent: string | undefined): Record<string, string> {
    const h: Record<string, string> = {};
    for (const [name, template] of this.headers) {
      const value = template(row);
      if (HEADER_VALUE.test(value)) throw new RecordError('bad_header', `header '${name}' would contain a line break`);
      h[name] = value;
    }
    if (this.msgId) {
      const id = this.msgId(row);
      if (id === '' || HEADER_VALUE.test(id)) throw new RecordError('bad_header', `msg_id ${JSON.stringify(id)} is empty or has a line break`);
      h['Nats-Msg-Id'] = id;
    }
    if (traceparent !== undefined) h.traceparent = traceparent;
    return h;
  }
}
