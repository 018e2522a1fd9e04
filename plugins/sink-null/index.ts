/** `null`: discards records and counts them (benchmarks, dry runs). */
import { definePlugin } from '../../core/api/index.ts';
import type { Batch, Logger, SinkInstance } from '../../core/api/index.ts';
import { nullSinkSpec } from './spec.ts';

/** A sink that only counts what it is given; the count is its checkpoint position. */
export class NullSink implements SinkInstance {
  /** Records written so far, across restores. */
  records = 0;
  batches = 0;

  constructor(
    private readonly id = 'null',
    private readonly logger?: Logger,
  ) {}

  async open(position: unknown): Promise<void> {
    this.records = (position as { records?: number } | undefined)?.records ?? 0;
  }

  async write(batch: Batch): Promise<void> {
    this.records += batch.length;
    this.batches++;
  }

  async checkpoint(): Promise<{ records: number }> {
    return { records: this.records };
  }

  async close(): Promise<void> {
    this.logger?.info(`null sink '${this.id}' discarded ${this.records} records`, { records: this.records, batches: this.batches });
  }
}

export const nullSinkPlugin = definePlugin({
  kind: 'sink',
  name: 'null',
  summary: 'Discards records, counting them; logs the count at close.',
  description:
    'For benchmarks and dry runs. The count survives restores (it is the checkpoint position); nothing is written anywhere. In YAML write the key quoted, `"null": {}`: a bare `null:` key is read as the null value.',
  spec: nullSinkSpec,
  create: ({ id, logger }) => new NullSink(id, logger),
});
