/**
 * `json`: one JSON object per payload (JSONL lines, Kafka messages). Decoding is a plain
 * loop over `JSON.parse`: measured against parsing a whole chunk as one `[...]` array it
 * is as fast here, and it isolates a bad line without a second pass.
 */
import { RecordError } from '../../api/index.ts';
import type { Batch, Row } from '../../api/index.ts';
import type { Codec, DecodeFailure, DecodeResult, EncodeOptions, EncodeRejection, EncodeResult } from './types.ts';
import { payloadText } from './text.ts';

function decode(payloads: readonly (string | Uint8Array)[]): DecodeResult {
  const n = payloads.length;
  const rows = new Array<Row | undefined>(n);
  let failures: DecodeFailure[] | undefined;
  for (let i = 0; i < n; i++) {
    const p = payloads[i]!;
    const text = typeof p === 'string' ? p : payloadText(p);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      (failures ??= []).push({ index: i, payload: text, error: new RecordError('bad_json', `not valid JSON: ${(cause as Error).message}`, { cause }) });
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
      (failures ??= []).push({ index: i, payload: text, error: new RecordError('not_an_object', `expected a JSON object, got ${got}`) });
      continue;
    }
    rows[i] = value as Row;
  }
  return { rows, failures: failures ?? NO_FAILURES };
}

const NO_FAILURES: readonly DecodeFailure[] = Object.freeze([]);
const NO_REJECTIONS: readonly EncodeRejection[] = Object.freeze([]);

function encode(batch: Batch, options?: EncodeOptions): EncodeResult {
  const { values, kinds, length } = batch;
  const changeField = options?.changeField;
  // `"op":` prefix spliced into each stringified row: no per-record object copy.
  const prefix = changeField === undefined ? '' : `{${JSON.stringify(changeField)}:"`;
  let text = '';
  let records = 0;
  let rejected: EncodeRejection[] | undefined;
  for (let i = 0; i < length; i++) {
    const row = values[i]!;
    let line: string;
    try {
      if (changeField === undefined) line = JSON.stringify(row);
      else if (Object.hasOwn(row, changeField)) line = JSON.stringify({ [changeField]: kinds?.[i] ?? 'insert', ...row, [changeField]: kinds?.[i] ?? 'insert' });
      else {
        const body = JSON.stringify(row);
        line = prefix + (kinds?.[i] ?? 'insert') + (body.length > 2 ? '",' + body.slice(1) : '"}');
      }
    } catch (cause) {
      (rejected ??= []).push({ index: i, error: new RecordError('encode_error', `cannot encode as JSON: ${(cause as Error).message}`, { cause }) });
      continue;
    }
    if (typeof line !== 'string') {
      (rejected ??= []).push({ index: i, error: new RecordError('encode_error', 'cannot encode as JSON: not a JSON value') });
      continue;
    }
    text += line + '\n';
    records++;
  }
  return { text, records, rejected: rejected ?? NO_REJECTIONS };
}

export const jsonCodec: Codec = Object.freeze({ name: 'json', decode, encode });
