/** Reading one row of the counts upsert stream (flagship contract §2), checked. */
import { RecordError } from 'sluice/api';
import type { Row } from 'sluice/api';
import { TRIGGER_ACTION } from '../model/index.ts';
import type { CountsCell } from './looks.ts';

export interface CountsRow {
  readonly experimentId: string;
  readonly epochStart: number;
  readonly segment: number;
  readonly action: string;
  readonly group: string;
  /** [volume, propensity, sum_sq] for an action row, [triggered, 0, 0] for the `_` row. */
  readonly cell: CountsCell;
}

const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const id = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** The row's fields, or a RecordError (`invalid_counts`) naming what is wrong. */
export function readCountsRow(row: Row): CountsRow {
  const { experiment_id, epoch_start, segment, action, group } = row;
  if (!id(experiment_id) || !count(epoch_start) || !count(segment) || !id(action) || !id(group)) {
    throw new RecordError('invalid_counts', `counts row needs experiment_id, epoch_start, segment, action, group (got ${JSON.stringify(row)})`);
  }
  if (action === TRIGGER_ACTION) {
    if (!count(row.triggered)) throw new RecordError('invalid_counts', `trigger row needs an integer triggered ≥ 0 (got ${JSON.stringify(row.triggered)})`);
    return { experimentId: experiment_id, epochStart: epoch_start, segment, action, group, cell: [row.triggered, 0, 0] };
  }
  const { volume, propensity, sum_sq } = row;
  if (!count(volume) || !count(propensity) || !count(sum_sq)) {
    throw new RecordError('invalid_counts', `action row needs integers volume, propensity, sum_sq ≥ 0 (got ${JSON.stringify([volume, propensity, sum_sq])})`);
  }
  return { experimentId: experiment_id, epochStart: epoch_start, segment, action, group, cell: [volume, propensity, sum_sq] };
}
