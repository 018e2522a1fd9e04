/**
 * Codecs (`json`, `raw`) turn the payloads a source reads into rows, and a sink's batch into the bytes it
 * writes. The runtime picks one per source or sink block (`codec: json | raw`) and calls
 * it once per chunk or batch, never once per record, so the choice is made per batch.
 */
import type { Batch, Row } from './records.ts';
import type { RecordError } from './errors.ts';

export type CodecName = 'json' | 'raw';

/** One payload that did not decode: the runtime dead-letters it with its original text. */
export interface DecodeFailure {
  /** Index of the payload in the decoded chunk. */
  readonly index: number;
  /** Reason `bad_json` (not JSON) or `not_an_object` (JSON, but not an object). */
  readonly error: RecordError;
  /** The original payload as text (UTF-8 decoded when it came as bytes). */
  readonly payload: string;
}

export interface DecodeResult {
  /** `rows[i]` is payload i decoded, or `undefined` when it failed (see `failures`). */
  readonly rows: (Row | undefined)[];
  /** The payloads that failed, in index order; empty when all decoded. */
  readonly failures: readonly DecodeFailure[];
}

export interface EncodeOptions {
  /**
   * For upsert streams: write each record's change kind (`insert`, `update`, `delete`)
   * as this field of the written object, first. A row field of the same name is shadowed.
   * Ignored by `raw`, which writes the text only.
   */
  readonly changeField?: string;
  /**
   * `provenance`: write each record wrapped as `{"provenance": {...}, "record": {...}}` (its
   * provenance as admitted, `null` when it has none), the archive's envelope. `json` only:
   * `encode` (one string per batch) honours it; `raw` and `encodeEach` ignore it.
   */
  readonly envelope?: 'provenance';
}

/** Records of a batch that could not be encoded (e.g. a BigInt, a cycle, raw without text). */
export interface EncodeRejection {
  readonly index: number;
  readonly error: RecordError;
}

export interface EncodeResult {
  /** Every encoded record, each followed by `\n`: one string per batch, written with one call. */
  readonly text: string;
  /** How many records `text` holds. */
  readonly records: number;
  readonly rejected: readonly EncodeRejection[];
}

export interface Codec {
  readonly name: CodecName;
  /** Decodes one chunk of payloads. Never throws for a bad payload; reports it in `failures`. */
  decode(payloads: readonly (string | Uint8Array)[]): DecodeResult;
  /** Encodes one batch as newline-terminated lines. Never throws for a bad record; rejects it. */
  encode(batch: Batch, options?: EncodeOptions): EncodeResult;
  /**
   * Encodes each record of a batch as its own payload (one message per record, as Kafka
   * and NATS sinks need). `payloads[i]` is undefined for a rejected record. No newline.
   */
  encodeEach(batch: Batch, options?: EncodeOptions): EncodeEachResult;
}

export interface EncodeEachResult {
  readonly payloads: (string | undefined)[];
  readonly rejected: readonly EncodeRejection[];
}
