/**
 * `json`: one JSON object per payload (JSONL lines, Kafka messages). Decoding is a plain
 * loop over `JSON.parse`: measured against parsing a whole chunk as one `[...]` array it
 * is as fast here, and it isolates a bad line without a second pass.
 */
import { RecordError } from '../../api/index.ts';
import type { Batch, Row } from '../../api/index.ts';
import type { Codec, DecodeFailure, DecodeResult, EncodeEachResult, EncodeOptions, EncodeRejection, EncodeResult } from './types.ts';
import { lossyText, strictText } from './utf8.ts';
import { nonFinitePath, quoteBigIntegers } from './lossless.ts';
import { deeperThan, maxRecordDepth } from './depth.ts';

function decode(payloads: readonly (string | Uint8Array)[]): DecodeResult {
  const n = payloads.length;
  const rows = new Array<Row | undefined>(n);
  let failures: DecodeFailure[] | undefined;
  const maxDepth = maxRecordDepth();
  for (let i = 0; i < n; i++) {
    const p = payloads[i]!;
    let text: string;
    try {
      text = strictText(p);
    } catch (error) {
      (failures ??= []).push({ index: i, payload: lossyText(p), error: error as RecordError });
      continue;
    }
    if (deeperThan(text, maxDepth)) {
      const reason = `nested deeper than ${maxDepth} levels of objects and arrays (the limit SLUICE_MAX_RECORD_DEPTH); raise it if such records are meant`;
      (failures ??= []).push({ index: i, payload: text, error: new RecordError('too_deep', reason) });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(quoteBigIntegers(text));
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

type LineOf = (batch: Batch, i: number, changeField: string | undefined, prefix: string) => string;

const plainLine: LineOf = (batch, i, changeField, prefix) => encodeRow(batch.values[i]!, batch.kinds?.[i] ?? 'insert', changeField, prefix);

/**
 * `{"provenance": …, "record": …}` for record i, written around the record's own JSON: the
 * bytes of encoding the envelope object, without making one per record. A record that does
 * not stringify to text (or a change field named like an envelope key) takes the envelope
 * object's path, so its text or its error is exactly that one's.
 */
const envelopeLine: LineOf = (batch, i, changeField, prefix) => {
  const provenance = batch.provenance?.[i] ?? null;
  const record = batch.values[i]!;
  const body = changeField === 'provenance' || changeField === 'record' ? undefined : tryStringify(record);
  if (body === undefined) return encodeRow({ provenance, record }, batch.kinds?.[i] ?? 'insert', changeField, prefix);
  const head = changeField === undefined ? '{"provenance":' : `${prefix}${batch.kinds?.[i] ?? 'insert'}","provenance":`;
  return head + JSON.stringify(provenance) + ',"record":' + body + '}';
};

function tryStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value) as string | undefined;
  } catch {
    return undefined;
  }
}

/** Calls `each(i, line)` for every record that encodes; returns the rejections. */
function encodeLines(batch: Batch, options: EncodeOptions | undefined, each: (index: number, line: string) => void, lineOf: LineOf = plainLine): readonly EncodeRejection[] {
  const { length } = batch;
  const changeField = options?.changeField;
  // `"op":` prefix spliced into each stringified row: no per-record object copy.
  const prefix = changeField === undefined ? '' : `{${JSON.stringify(changeField)}:"`;
  let rejected: EncodeRejection[] | undefined;
  for (let i = 0; i < length; i++) {
    let line: string;
    try {
      line = lineOf(batch, i, changeField, prefix);
    } catch (cause) {
      (rejected ??= []).push({ index: i, error: new RecordError('encode_error', `cannot encode as JSON: ${(cause as Error).message}`, { cause }) });
      continue;
    }
    if (typeof line !== 'string') {
      (rejected ??= []).push({ index: i, error: new RecordError('encode_error', 'cannot encode as JSON: not a JSON value') });
      continue;
    }
    // JSON.stringify writes Infinity and NaN as null: look only where a null was written.
    const bad = line.includes('null') ? nonFinitePath(batch.values[i]) : undefined;
    if (bad !== undefined) {
      (rejected ??= []).push({ index: i, error: new RecordError('non_finite_number', `cannot encode as JSON: ${bad} is not a finite number (JSON has no Infinity or NaN)`) });
      continue;
    }
    each(i, line);
  }
  return rejected ?? NO_REJECTIONS;
}

function encode(batch: Batch, options?: EncodeOptions, lineOf?: LineOf): EncodeResult {
  let text = '';
  let records = 0;
  const rejected = encodeLines(batch, options, (_i, line) => {
    text += line + '\n';
    records++;
  }, lineOf);
  return { text, records, rejected };
}

/**
 * Like `jsonCodec.encode` of the batch with each record wrapped as `{provenance, record}`
 * (the archive's envelope), byte for byte, written directly from each record's JSON: what
 * `jsonCodec.encode` does with `envelope: 'provenance'`.
 */
export function encodeProvenanceEnvelopes(batch: Batch, options?: EncodeOptions): EncodeResult {
  return encode(batch, options, envelopeLine);
}

function encodeEach(batch: Batch, options?: EncodeOptions): EncodeEachResult {
  const payloads = new Array<string | undefined>(batch.length).fill(undefined);
  const rejected = encodeLines(batch, options, (i, line) => {
    payloads[i] = line;
  });
  return { payloads, rejected };
}

export const jsonCodec: Codec = Object.freeze({ name: 'json', decode, encode: (batch: Batch, options?: EncodeOptions) => encode(batch, options, options?.envelope === 'provenance' ? envelopeLine : plainLine), encodeEach });
