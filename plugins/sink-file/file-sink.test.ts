import { getCodec } from '../../core/runtime/codec/index.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile, open, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPEND_ONLY, BatchBuilder } from '../../core/api/index.ts';
import type { Batch, Changelog, SinkInstance } from '../../core/api/index.ts';
import { fileSinkPlugin } from './index.ts';

const dir = await mkdtemp(join(tmpdir(), 'sluice-file-sink-'));

async function make(path: string, options: { changelog?: Changelog; codec?: 'json' | 'raw'; position?: unknown } = {}): Promise<SinkInstance> {
  const ctx = {
    id: 'out', job: 'j', config: { path, change_field: 'op', envelope: 'none' as const }, deps: {}, logger: undefined as never,
    input: { changelog: options.changelog ?? APPEND_ONLY }, expressions: undefined as never,
    codec: getCodec(options.codec ?? 'json'),
  };
  const sink = await fileSinkPlugin.create(ctx);
  await sink.open(options.position);
  return sink;
}

function batch(from: number, to: number): Batch {
  const b = new BatchBuilder();
  for (let i = from; i < to; i++) b.push({ i, s: `é${i}` }, i);
  return b.take();
}

const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => `{"i":${from + k},"s":"é${from + k}"}\n`).join('');

void test('a fresh start creates the folder and overwrites the file; each batch is one write call', async () => {
  const path = join(dir, 'new', 'deeper', 'out.jsonl');
  const sink = await make(path);
  await sink.write(batch(0, 3));
  await sink.close();
  const again = await make(path);
  const probe = await open(join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { write: (...a: unknown[]) => Promise<unknown> };
  await probe.close();
  const original = proto.write;
  let calls = 0;
  proto.write = function (this: unknown, ...args: unknown[]) {
    calls++;
    return original.apply(this, args);
  };
  try {
    await again.write(batch(10, 500));
    await again.write(batch(500, 502));
  } finally {
    proto.write = original;
  }
  await again.close();
  assert.equal(calls, 2);
  assert.equal(await readFile(path, 'utf8'), lines(10, 502));
});

void test('checkpoint returns the synced length; a restore truncates to it so a replay writes each line once', async () => {
  const path = join(dir, 'replay.jsonl');
  const sink = await make(path);
  await sink.write(batch(0, 10));
  const position = await sink.checkpoint!();
  assert.deepEqual(position, { bytes: Buffer.byteLength(lines(0, 10)) });
  await sink.write(batch(10, 15));
  // Crash here: lines 10..14 were written after the checkpoint, and will be replayed.
  const restored = await make(path, { position: JSON.parse(JSON.stringify(position)) });
  assert.equal(await readFile(path, 'utf8'), lines(0, 10));
  await restored.write(batch(10, 20));
  await restored.close();
  await sink.close();
  assert.equal(await readFile(path, 'utf8'), lines(0, 20));
});

void test('a restore at length 0 of a vanished file starts it; a file shorter than its position is refused', async () => {
  const path = join(dir, 'gone.jsonl');
  const empty = await make(path, { position: { bytes: 0 } });
  await empty.write(batch(0, 1));
  await empty.close();
  assert.equal(await readFile(path, 'utf8'), lines(0, 1));
  await truncate(path, 3);
  await assert.rejects(make(path, { position: { bytes: 10 } }), /shorter than the checkpointed 10/);
  await assert.rejects(make(path, { position: { bytes: -1 } }), /bad position/);
});

void test('an upsert input gets the change kind as the first field; append-only rows are written as they are', async () => {
  const path = join(dir, 'upsert.jsonl');
  const sink = await make(path, { changelog: { mode: 'upsert', key: ['k'] } });
  const b = new BatchBuilder();
  b.push({ k: 'a', n: 1 }, 1);
  b.push({ k: 'a', n: 2 }, 1, 'update');
  b.push({ k: 'a' }, 1, 'delete');
  await sink.write(b.take());
  await sink.close();
  assert.equal(await readFile(path, 'utf8'), '{"op":"insert","k":"a","n":1}\n{"op":"update","k":"a","n":2}\n{"op":"delete","k":"a"}\n');
});

void test('codec raw writes the message field; records that cannot be encoded are returned as rejected', async () => {
  const path = join(dir, 'raw.txt');
  await writeFile(path, 'old content\n');
  const sink = await make(path, { codec: 'raw' });
  const b = new BatchBuilder();
  b.push({ message: 'first' }, 1);
  b.push({ nope: 1 }, 1);
  b.push({ message: 'second' }, 1);
  const result = await sink.write(b.take());
  await sink.close();
  assert.deepEqual(result && result.rejected?.map((r) => r.index), [1]);
  assert.equal(await readFile(path, 'utf8'), 'first\nsecond\n');
  const json = await make(join(dir, 'bad.jsonl'));
  const bad = new BatchBuilder();
  bad.push({ n: 1n }, 1);
  const r = await json.write(bad.take());
  await json.close();
  assert.equal(r && r.rejected?.[0]?.error instanceof Error, true);
  assert.equal(await readFile(join(dir, 'bad.jsonl'), 'utf8'), '');
});

void test('envelope provenance writes {provenance, record} per line; other codecs are refused', async () => {
  const path = join(dir, 'archive', 'actions.jsonl');
  const ctx = {
    id: 'archive', job: 'j', config: { path, change_field: 'op', envelope: 'provenance' as const }, deps: {}, logger: undefined as never,
    input: { changelog: APPEND_ONLY }, expressions: undefined as never, codec: getCodec('json'),
  };
  const sink = await fileSinkPlugin.create(ctx);
  await sink.open(undefined);
  const b = new BatchBuilder();
  b.push({ event_id: 'a1', ts: 5 }, 5, 'insert', { source: 'traffic', output: 'actions', partition: 0, offset: 7 });
  b.push({ event_id: 'a2', ts: 6 }, 6);
  await sink.write(b.take());
  await sink.close();
  assert.equal(
    await readFile(path, 'utf8'),
    '{"provenance":{"source":"traffic","output":"actions","partition":0,"offset":7},"record":{"event_id":"a1","ts":5}}\n{"provenance":null,"record":{"event_id":"a2","ts":6}}\n',
  );
  await assert.rejects(async () => fileSinkPlugin.create({ ...ctx, codec: getCodec('raw') }), /envelope provenance needs codec json/);
});

void test('a fresh open in a task sets the file at the path aside instead of truncating it', async () => {
  const path = join(dir, 'task', 'archive.jsonl');
  const warnings: string[] = [];
  const logger = { warn: (m: string) => warnings.push(m) } as never;
  const ctx = {
    id: 'out', job: 'j', config: { path, change_field: 'op', envelope: 'none' as const }, deps: {}, logger,
    input: { changelog: APPEND_ONLY }, expressions: undefined as never, codec: getCodec('json'), task: { id: 'task-3', index: 3, count: 4 },
  };
  const first = await fileSinkPlugin.create(ctx);
  await first.open(undefined);
  await first.write(batch(0, 3));
  await first.close();
  // A second instance of the task starting with no checkpoint: the first one's lines are kept aside.
  const second = await fileSinkPlugin.create(ctx);
  await second.open(undefined);
  await second.write(batch(0, 2));
  await second.close();
  assert.equal(await readFile(path, 'utf8'), lines(0, 2));
  assert.equal(await readFile(`${path}.superseded-1`, 'utf8'), lines(0, 3));
  const third = await fileSinkPlugin.create(ctx);
  await third.open(null);
  await third.close();
  assert.equal(await readFile(`${path}.superseded-2`, 'utf8'), lines(0, 2), 'the next free name');
  assert.equal(await readFile(path, 'utf8'), '');
  // An empty file is set aside too: it may be the one another instance writes.
  const fourth = await fileSinkPlugin.create(ctx);
  await fourth.open(undefined);
  await fourth.close();
  assert.equal(await readFile(`${path}.superseded-3`, 'utf8'), '');
  assert.equal(warnings.length, 3);
  assert.match(warnings[0]!, /task task-3.*superseded-1/);
});

void test('a restore in a task writes the checkpointed prefix as a new file: an old instance still writing goes to the file it had, not over the new one', async () => {
  const path = join(dir, 'task', 'handoff.jsonl');
  const ctx = {
    id: 'out', job: 'j', config: { path, change_field: 'op', envelope: 'none' as const }, deps: {}, logger: { warn: () => undefined } as never,
    input: { changelog: APPEND_ONLY }, expressions: undefined as never, codec: getCodec('json'), task: { id: 'task-1', index: 1, count: 2 },
  };
  const old = await fileSinkPlugin.create(ctx);
  await old.open(undefined);
  await old.write(batch(0, 3));
  const position = await old.checkpoint!();
  await old.write(batch(3, 5));
  // The new owner restores while the old one is still running.
  const next = await fileSinkPlugin.create(ctx);
  await next.open(position);
  await old.write(batch(100, 110));
  await next.write(batch(3, 6));
  await old.close();
  await next.close();
  assert.equal(await readFile(path, 'utf8'), lines(0, 6));
  // The old instance's file is kept aside, whole: the checkpoint's lines are found there by its inode.
  assert.equal(await readFile(`${path}.superseded-1`, 'utf8'), lines(0, 5) + lines(100, 110));
  const third = await fileSinkPlugin.create(ctx);
  await third.open(position);
  await third.write(batch(3, 4));
  await third.close();
  assert.equal(await readFile(path, 'utf8'), lines(0, 4));
  assert.equal(await readFile(`${path}.superseded-2`, 'utf8'), lines(0, 6), 'the file at the path set aside in turn');
  // The checkpoint's file shorter than the checkpoint: refused, as in a whole job.
  await writeFile(`${path}.superseded-1`, '');
  const fourth = await fileSinkPlugin.create(ctx);
  await assert.rejects(fourth.open(position), /shorter than the checkpointed/);
});

void test('in a task, a checkpoint takes the path back for the instance\'s own file when another instance (a stalled old owner restarting) moved it aside', async () => {
  const path = join(dir, 'task', 'reclaim.jsonl');
  const ctx = {
    id: 'out', job: 'j', config: { path, change_field: 'op', envelope: 'none' as const }, deps: {}, logger: { warn: () => undefined } as never,
    input: { changelog: APPEND_ONLY }, expressions: undefined as never, codec: getCodec('json'), task: { id: 'task-0', index: 0, count: 1 },
  };
  const owner = await fileSinkPlugin.create(ctx);
  await owner.open(undefined);
  await owner.write(batch(0, 2));
  const position = await owner.checkpoint!();
  // A stalled instance restarts from the owner's checkpoint: the owner's file goes aside.
  const zombie = await fileSinkPlugin.create(ctx);
  await zombie.open(position);
  await zombie.write(batch(50, 51));
  await owner.write(batch(2, 4));
  assert.equal(await readFile(path, 'utf8'), lines(0, 2) + lines(50, 51));
  await owner.checkpoint!();
  await zombie.close();
  await owner.close();
  assert.equal(await readFile(path, 'utf8'), lines(0, 4), 'the owner\'s file is at the path again');
});
