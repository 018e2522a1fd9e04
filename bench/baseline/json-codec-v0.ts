/** Frozen copy of core/runtime/codec/json.ts before issue 9 (same-run baseline for bench/sinks.ts). */
/**
 * `json`: one JSON object per payload (JSONL lines, Kafka messages). Decoding is a plain
 * loop over `JSON.parse`: measured against parsing a whole chunk as one `[...]` array it
 * is as fast here, and it isolates a bad line without a second pass.
 */
import { RecordError } from '../../core/api/index.ts';
import type { Batch, Row } from '../../core/api/index.ts';
import type { Codec, DecodeFailure, DecodeResult, EncodeEachResult, EncodeOptions, EncodeRejection, EncodeResult } from '../../core/runtime/codec/types.ts';
import { payloadText } from '../../core/runtime/codec/text.ts';

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

/** One record as JSON, with the change kind spliced in first when `changeField` is set. */
function encodeRow(row: Row, kind: string, changeField: string | undefined, prefix: string): string {
  if (changeField === undefined) return JSON.stringify(row);
  if (Object.hasOwn(row, changeField)) return JSON.stringify({ [changeField]: kind, ...row, [changeField]: kind });
  const body = JSON.stringify(row);
  return prefix + kind + (body.length > 2 ? '",' + body.slice(1) : '"}');
}

/** Calls `each(i, line)` for every record that encodes; returns the rejections. */
function encodeLines(batch: Batch, options: EncodeOptions | undefined, each: (index: number, line: string) => void): readonly EncodeRejection[] {
  const { values, kinds, length } = batch;
  const changeField = options?.changeField;
  // `"op":` prefix spliced into each stringified row: no per-record object copy.
  const prefix = changeField === undefined ? '' : `{${JSON.stringify(changeField)}:"`;
  let rejected: EncodeRejection[] | undefined;
  for (let i = 0; i < length; i++) {
    let line: string;
    try {
      line = encodeRow(values[i]!, kinds?.[i] ?? 'insert', changeField, prefix);
    } catch (cause) {
      (rejected ??= []).push({ index: i, error: new RecordError('encode_error', `cannot encode as JSON: ${(cause as Error).message}`, { cause }) });
      continue;
    }
    if (typeof line !== 'string') {
      (rejected ??= []).push({ index: i, error: new RecordError('encode_error', 'cannot encode as JSON: not a JSON value') });
      continue;
    }
    each(i, line);
  }
  return rejected ?? NO_REJECTIONS;
}

function encode(batch: Batch, options?: EncodeOptions): EncodeResult {
  let text = '';
  let records = 0;
  const rejected = encodeLines(batch, options, (_i, line) => {
    text += line + '\n';
    records++;
  });
  return { text, records, rejected };
}

function encodeEach(batch: Batch, options?: EncodeOptions): EncodeEachResult {
  const payloads = new Array<string | undefined>(batch.length).fill(undefined);
  const rejected = encodeLines(batch, options, (i, line) => {
    payloads[i] = line;
  });
  return { payloads, rejected };
}

export const jsonCodecV0: Codec = Object.freeze({ name: 'json', decode, encode, encodeEach });
