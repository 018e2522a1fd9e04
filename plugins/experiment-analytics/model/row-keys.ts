/**
 * Row keys and qualifiers of the result tables (docs/architecture.md §8), shared by the job, the
 * embedded store's pipeline config, the HBase sink and `sluice validate`'s docs.
 *
 *   experiment_counts, family c: {experiment_id}|{epoch_start_ms:13 digits}|{segment}|{action}|{group}
 *   experiment_stats,  family s: {experiment_id}|{epoch_start_ms}|{segment}|{action}|{metric}|{treatment}
 *
 * Values are UTF-8 decimal strings. Action `_` holds the triggered-user row.
 */

/** The action of the triggered-user row in `experiment_counts`. */
export const TRIGGER_ACTION = '_';

export const COUNTS_TABLE = { name: 'experiment_counts', family: 'c', qualifiers: ['volume', 'propensity', 'triggered', 'sum_sq', 'watermark_ms', 'version'] } as const;
export const STATS_TABLE = {
  name: 'experiment_stats',
  family: 's',
  qualifiers: ['delta', 'lo', 'hi', 'lift', 'lift_lo', 'lift_hi', 'p_always_valid', 'gated', 'srm_p', 'looks'],
} as const;

/** The embedded store's `row_key` template for `experiment_counts` (see plugins/sink-embedded-store). */
export const COUNTS_ROW_KEY_TEMPLATE = '{experiment_id}|{epoch_start:13}|{segment}|{action}|{group}';
export const STATS_ROW_KEY_TEMPLATE = '{experiment_id}|{epoch_start:13}|{segment}|{action}|{metric}|{treatment}';

/** Epoch start as 13 decimal digits, zero-padded (epoch ms until the year 2286). */
export function epochKey(epochStart: number): string {
  if (!Number.isSafeInteger(epochStart) || epochStart < 0 || epochStart >= 1e13) throw new RangeError(`epoch start ${epochStart} does not fit 13 digits`);
  return String(epochStart).padStart(13, '0');
}

export function countsRowKey(experimentId: string, epochStart: number, segment: number, action: string, group: string): string {
  return `${experimentId}|${epochKey(epochStart)}|${segment}|${action}|${group}`;
}

export function statsRowKey(experimentId: string, epochStart: number, segment: number, action: string, metric: string, treatment: string): string {
  return `${experimentId}|${epochKey(epochStart)}|${segment}|${action}|${metric}|${treatment}`;
}

export interface CountsKey {
  readonly experiment_id: string;
  readonly epoch_start: number;
  readonly segment: number;
  readonly action: string;
  readonly group: string;
}

/** Inverse of `countsRowKey`; undefined when the key does not have its shape. */
export function parseCountsRowKey(key: string): CountsKey | undefined {
  const parts = key.split('|');
  if (parts.length !== 5 || !/^\d{13}$/.test(parts[1]!) || !/^\d+$/.test(parts[2]!)) return undefined;
  return { experiment_id: parts[0]!, epoch_start: Number(parts[1]), segment: Number(parts[2]), action: parts[3]!, group: parts[4]! };
}
