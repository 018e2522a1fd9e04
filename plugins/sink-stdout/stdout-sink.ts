/** The stdout sink: one string per batch to a stream, waiting for `drain` when it is full. */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Batch, Codec, EncodeOptions, SinkInstance, SinkWriteResult } from '../../core/api/index.ts';

export class StreamSink implements SinkInstance {
  constructor(
    private readonly stream: Writable,
    private readonly codec: Codec,
    private readonly encodeOptions: EncodeOptions,
  ) {}

  async open(): Promise<void> {}

  async write(batch: Batch): Promise<SinkWriteResult | void> {
    const { text, rejected } = this.codec.encode(batch, this.encodeOptions);
    // A full pipe back-pressures the job instead of buffering without bound.
    if (text.length > 0 && !this.stream.write(text)) await once(this.stream, 'drain');
    if (rejected.length > 0) return { rejected };
  }

  async close(): Promise<void> {}
}
