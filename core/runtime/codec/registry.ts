/** The codecs a block may name, looked up once per block. */
import type { Codec, CodecName } from './types.ts';
import { jsonCodec } from './json.ts';
import { rawCodec } from './raw.ts';

const CODECS: Readonly<Record<CodecName, Codec>> = { json: jsonCodec, raw: rawCodec };

export const CODEC_NAMES: readonly CodecName[] = Object.keys(CODECS) as CodecName[];

export function getCodec(name: CodecName): Codec {
  const codec = Object.hasOwn(CODECS, name) ? CODECS[name] : undefined;
  if (!codec) throw new RangeError(`unknown codec '${String(name)}' (known: ${CODEC_NAMES.join(', ')})`);
  return codec;
}
