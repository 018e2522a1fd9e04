/** The source's position format and the `_meta` rows of fetched records. */
import type { Row } from '../../core/api/index.ts';
import { parsePartitionName } from '../../lib/kafka-client/client.ts';
import type { FetchedBatch } from '../../lib/kafka-client/client.ts';

/** Position: the next offset to read per `<topic>:<partition>`. */
export type KafkaSourcePosition = Record<string, number>;

const TRACEPARENT = 'traceparent';
/** Shared by every record without headers (records are read-only downstream). */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

export function checkPosition(position: unknown): KafkaSourcePosition {
  if (position === undefined || position === null) return {};
  if (typeof position !== 'object' || Array.isArray(position)) throw new TypeError(`kafka source: bad position ${JSON.stringify(position)}`);
  for (const [name, offset] of Object.entries(position)) {
    parsePartitionName(name);
    if (!Number.isSafeInteger(offset) || (offset as number) < 0) throw new TypeError(`kafka source: bad offset for ${name}: ${JSON.stringify(offset)}`);
  }
  return { ...(position as KafkaSourcePosition) };
}

/** Per-record `_meta` rows of a fetched batch. */
export function metaRows(b: FetchedBatch): Row[] {
  const rows = new Array<Row>(b.length);
  for (let i = 0; i < b.length; i++) {
    const headers = b.headers[i] ?? NO_HEADERS;
    const row: Row = { key: b.keys[i], headers, topic: b.topic, partition: b.partition, offset: b.offsets[i], timestamp: b.timestamps[i] };
    const tp = headers[TRACEPARENT];
    if (tp !== undefined) row.traceparent = tp;
    rows[i] = row;
  }
  return rows;
}

