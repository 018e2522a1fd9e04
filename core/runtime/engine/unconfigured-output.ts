/**
 * Stands in for a late or dead-letter output the pipeline does not configure: nothing is
 * dropped silently. Every record is counted (the engine's metrics count them per
 * operator), the first record of each operator and reason is logged as a warning with an
 * example, and the totals are logged when the job closes.
 */
import type { Batch, Logger, SinkInstance } from '../../api/index.ts';

export class UnconfiguredOutput implements SinkInstance {
  private readonly totals = new Map<string, number>();

  constructor(
    /** `late` or `dead_letter`: the pipeline key that would configure it. */
    private readonly key: 'late' | 'dead_letter',
    private readonly logger: Logger,
  ) {}

  open(): Promise<void> {
    return Promise.resolve();
  }

  write(batch: Batch): Promise<void> {
    for (let i = 0; i < batch.length; i++) {
      const row = batch.values[i]!;
      const tag = `${String(row.operator)}\u0000${String(row.reason)}`;
      const n = this.totals.get(tag);
      if (n === undefined) {
        this.logger.warn(`${this.key === 'late' ? 'late record' : 'dead-lettered record'} with no \`${this.key}:\` output configured; counted, not written`, {
          operator: row.operator,
          reason: row.reason,
          example: row,
        });
      }
      this.totals.set(tag, (n ?? 0) + 1);
    }
    return Promise.resolve();
  }

  /** Totals by operator and reason. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [tag, n] of this.totals) out[tag.replace('\u0000', ': ')] = n;
    return out;
  }

  close(): Promise<void> {
    if (this.totals.size) this.logger.warn(`records sent to the unconfigured \`${this.key}:\` output`, { counts: this.counts() });
    return Promise.resolve();
  }
}
