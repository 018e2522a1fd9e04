import { jsonCodec } from '../../core/runtime/codec/index.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { APPEND_ONLY, BatchBuilder } from '../../core/api/index.ts';
import type { Changelog } from '../../core/api/index.ts';
import { stdoutSinkPlugin, stdoutTarget } from './index.ts';

function capture(highWaterMark: number) {
  const writes: string[] = [];
  let release: (() => void) | undefined;
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, done) {
      writes.push(chunk.toString());
      release = done;
    },
  });
  return { stream, writes, release: () => release?.() };
}

async function make(changelog: Changelog = APPEND_ONLY) {
  return stdoutSinkPlugin.create({ id: 'out', job: 'j', config: { change_field: 'op' }, deps: {}, logger: undefined as never, input: { changelog }, expressions: undefined as never, codec: jsonCodec });
}

void test('stdout writes one JSON-lines string per batch and waits for drain when the stream is full', async () => {
  const { stream, writes, release } = capture(8);
  const saved = stdoutTarget.stream;
  stdoutTarget.stream = stream;
  try {
    const sink = await make();
    await sink.open(undefined);
    const b = new BatchBuilder();
    b.push({ a: 1 }, 1);
    b.push({ a: 2 }, 2);
    let resolved = false;
    const pending = sink.write(b.take()).then(() => (resolved = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(resolved, false, 'the write waits while the stream is over its high-water mark');
    release();
    await pending;
    assert.deepEqual(writes, ['{"a":1}\n{"a":2}\n']);
  } finally {
    stdoutTarget.stream = saved;
  }
});

void test('stdout writes the change kind of an upsert input', async () => {
  const { stream, writes, release } = capture(1 << 20);
  const saved = stdoutTarget.stream;
  stdoutTarget.stream = stream;
  try {
    const sink = await make({ mode: 'upsert', key: ['k'] });
    const b = new BatchBuilder();
    b.push({ k: 1 }, 1, 'update');
    await sink.write(b.take());
    release();
    assert.deepEqual(writes, ['{"op":"update","k":1}\n']);
  } finally {
    stdoutTarget.stream = saved;
  }
});
