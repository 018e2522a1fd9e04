/** The codec contract lives in the public API (sinks receive a `Codec`); re-exported here for the runtime. */
export type { Codec, CodecName, DecodeFailure, DecodeResult, EncodeEachResult, EncodeOptions, EncodeRejection, EncodeResult } from '../../api/index.ts';
