/** `stdout`: JSON lines (or raw lines) on standard output; no delivery guarantee. */
import type { Writable } from 'node:stream';
import { definePlugin } from '../../core/api/index.ts';
import { stdoutSinkSpec } from './spec.ts';
import { StreamSink } from './stdout-sink.ts';

/** Where the sink writes; tests swap it. */
export const stdoutTarget: { stream: Writable } = { stream: process.stdout };

export const stdoutSinkPlugin = definePlugin({
  kind: 'sink',
  name: 'stdout',
  summary: 'Prints one line per record on standard output (no delivery guarantee).',
  description:
    'Each batch is encoded to one string (JSON lines with codec json, the `message` field with codec raw) and written at once; a full pipe back-pressures the job. For an upsert input each line carries the change kind in `change_field`. Nothing is replayed or truncated after a restart: the guarantee is none.',
  spec: stdoutSinkSpec,
  create(ctx) {
    const encodeOptions = ctx.input.changelog.mode === 'upsert' ? { changeField: ctx.config.change_field } : {};
    return new StreamSink(stdoutTarget.stream, ctx.codec, encodeOptions);
  },
});
