/**
 * Codecs (`json`, `raw`) for sources and sinks. Look a codec up once per block with
 * `getCodec(name)` and call it per chunk (`decode`) or batch (`encode`), never per record.
 */
export type { Codec, CodecName, DecodeFailure, DecodeResult, EncodeEachResult, EncodeOptions, EncodeRejection, EncodeResult } from './types.ts';
export { jsonCodec, encodeProvenanceEnvelopes } from './json.ts';
export { rawCodec, RAW_FIELD } from './raw.ts';
export { getCodec, CODEC_NAMES } from './registry.ts';
