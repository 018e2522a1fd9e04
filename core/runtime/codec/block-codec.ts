/**
 * How a sink finds its block's codec (`codec: json | raw` beside the plugin key). The
 * public `SinkCreateContext` has no codec yet; until it does, the runtime passes the
 * compiled block's `codec` as an extra `codec` property of the create context, and the
 * built-in sinks read it here (json when absent).
 */
import type { Codec, CodecName } from './types.ts';
import { getCodec } from './registry.ts';

/** The property the runtime adds to a sink's create context (proposed for `SinkCreateContext`). */
export interface CodecContext {
  readonly codec?: CodecName;
}

export function blockCodec(ctx: object): Codec {
  return getCodec((ctx as CodecContext).codec ?? 'json');
}
