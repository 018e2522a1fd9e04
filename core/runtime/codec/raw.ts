/**
 * `raw`: each payload is one text record. Decoding gives `{ message: <text> }` (Vector's
 * convention); encoding writes each record's `message` field as one line. Raw never fails
 * to decode; it rejects a record without a string `message`, or whose message holds a
 * newline (it would split into two records on read).
 */
import { RecordError } from '../../api/index.ts';
import type { Batch, Row } from '../../api/index.ts';
import type { Codec, DecodeResult, EncodeEachResult, EncodeRejection, EncodeResult } from './types.ts';
import { payloadText } from './text.ts';

/** The field that holds a raw record's text. */
export const RAW_FIELD = 'message';

function decode(payloads: readonly (string | Uint8Array)[]): DecodeResult {
  const n = payloads.length;
  const rows = new Array<Row | undefined>(n);
  for (let i = 0; i < n; i++) rows[i] = { message: payloadText(payloads[i]!) };
  return { rows, failures: [] };
}

function encode(batch: Batch): EncodeResult {
  const { values, length } = batch;
  let text = '';
  let records = 0;
  let rejected: EncodeRejection[] | undefined;
  for (let i = 0; i < length; i++) {
    const message = values[i]![RAW_FIELD];
    if (typeof message !== 'string') {
      (rejected ??= []).push({ index: i, error: new RecordError('encode_error', `raw codec: field '${RAW_FIELD}' is not a string`) });
      continue;
    }
    if (message.includes('\n')) {
      (rejected ??= []).push({ index: i, error: new RecordError('encode_error', `raw codec: field '${RAW_FIELD}' holds a newline`) });
      continue;
    }
    text += message + '\n';
    records++;
  }
  return { text, records, rejected: rejected ?? [] };
}

/** Like `encode`, one payload per record; a message may hold newlines here (no framing). */
function encodeEach(batch: Batch): EncodeEachResult {
  const { values, length } = batch;
  const payloads = new Array<string | undefined>(length).fill(undefined);
  let rejected: EncodeRejection[] | undefined;
  for (let i = 0; i < length; i++) {
    const message = values[i]![RAW_FIELD];
    if (typeof message === 'string') payloads[i] = message;
    else (rejected ??= []).push({ index: i, error: new RecordError('encode_error', `raw codec: field '${RAW_FIELD}' is not a string`) });
  }
  return { payloads, rejected: rejected ?? [] };
}

export const rawCodec: Codec = Object.freeze({ name: 'raw', decode, encode, encodeEach });
