import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, appendFile, mkdir, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { SourceChunk, SourceInstance } from '../../core/api/index.ts';
import { fileSourcePlugin } from './index.ts';
import type { FileSourceConfig } from './spec.ts';

const dir = await mkdtemp(join(tmpdir(), 'sluice-file-source-'));

async function make(config: Partial<FileSourceConfig> & { path: string }, position?: unknown): Promise<SourceInstance> {
  const full = { follow: false, read_size: 1 << 20, skip_blank_lines: true, ...config };
  const src = await fileSourcePlugin.create({ id: 'in', job: 'j', config: full, deps: {}, logger: undefined as never });
  await src.open(position);
  return src;
}

async function drain(src: SourceInstance, max = 1000, polls = Infinity): Promise<SourceChunk[]> {
  const out: SourceChunk[] = [];
  for (let i = 0; i < polls; i++) {
    const chunks = await src.poll(max);
    if (chunks === null) {
      await src.close();
      break;
    }
    out.push(...chunks);
  }
  return out;
}

const flat = (chunks: SourceChunk[]) =>
  chunks.flatMap((c) => c.payloads!.map((p, k) => ({ partition: c.partition, payload: p, line: c.lines![k], offset: c.offsets![k] })));

void test('reads lines with line numbers and byte offsets across tiny reads, multibyte text, CRLF, blank lines and no final newline', async () => {
  const path = join(dir, 'a.jsonl');
  const text = '{"a":1}\r\n\n{"name":"zoë ☃ 𝄞"}\n   \n{"a":\nlast';
  await writeFile(path, text);
  for (const read_size of [1, 3, 7, 1 << 20]) {
    const got = flat(await drain(await make({ path, read_size }), 2));
    assert.deepEqual(got, [
      { partition: path, payload: '{"a":1}', line: 1, offset: 0 },
      { partition: path, payload: '{"name":"zoë ☃ 𝄞"}', line: 3, offset: 10 },
      { partition: path, payload: '   ', line: 4, offset: 10 + Buffer.byteLength('{"name":"zoë ☃ 𝄞"}\n') },
      { partition: path, payload: '{"a":', line: 5, offset: Buffer.byteLength(text) - 10 },
      { partition: path, payload: 'last', line: 6, offset: Buffer.byteLength(text) - 4 },
    ], `read_size ${read_size}`);
  }
  const withBlank = flat(await drain(await make({ path, skip_blank_lines: false })));
  assert.deepEqual(withBlank.map((l) => l.line), [1, 2, 3, 4, 5, 6]);
  assert.equal(withBlank[1]!.payload, '');
});

void test('a poll returns at most maxRecords lines and ends with null', async () => {
  const path = join(dir, 'many.jsonl');
  await writeFile(path, Array.from({ length: 1000 }, (_, i) => `{"i":${i}}\n`).join(''));
  const src = await make({ path, read_size: 100 });
  const sizes: number[] = [];
  for (;;) {
    const chunks = await src.poll(64);
    if (chunks === null) break;
    sizes.push(chunks.reduce((n, c) => n + c.payloads!.length, 0));
  }
  assert.ok(sizes.every((n) => n <= 64));
  assert.equal(sizes.reduce((a, b) => a + b, 0), 1000);
  assert.equal(await src.poll(64), null);
  await src.close();
});

void test('restoring from position() resumes right after the last line returned', async () => {
  const path = join(dir, 'resume.jsonl');
  await writeFile(path, Array.from({ length: 500 }, (_, i) => `{"i":${i},"s":"ü${'x'.repeat(i % 13)}"}\n`).join('') + '{"tail":true}');
  const whole = flat(await drain(await make({ path, read_size: 97 }), 50));
  for (const polls of [1, 3, 9]) {
    const first = await make({ path, read_size: 97 });
    const part = flat(await drain(first, 50, polls));
    const position = JSON.parse(JSON.stringify(first.position())) as unknown;
    await first.close();
    const rest = flat(await drain(await make({ path, read_size: 61 }, position), 37));
    assert.deepEqual([...part, ...rest], whole);
  }
});

void test('a restore refuses a file shorter than its checkpointed offset', async () => {
  const path = join(dir, 'shrunk.jsonl');
  await writeFile(path, '{"a":1}\n{"a":2}\n');
  const src = await make({ path });
  await drain(src);
  const position = src.position();
  await truncate(path, 4);
  await assert.rejects(make({ path }, position), /truncated or replaced/);
});

void test('a glob reads every matching file as its own partition, side by side', async () => {
  const sub = join(dir, 'glob');
  await mkdir(join(sub, 'nested'), { recursive: true });
  await writeFile(join(sub, 'x-1.jsonl'), '{"f":1,"i":0}\n{"f":1,"i":1}\n{"f":1,"i":2}\n');
  await writeFile(join(sub, 'x-2.jsonl'), '{"f":2,"i":0}\n{"f":2,"i":1}\n');
  await writeFile(join(sub, 'x-3.txt'), 'ignored\n');
  await writeFile(join(sub, 'nested', 'x-4.jsonl'), '{"f":4}\n');
  const src = await make({ path: `${sub}/x-*.jsonl` });
  assert.deepEqual(src.partitions?.(), [join(sub, 'x-1.jsonl'), join(sub, 'x-2.jsonl')]);
  const first = (await src.poll(2))!;
  assert.deepEqual(first.map((c) => [c.partition, c.payloads!.length]), [[join(sub, 'x-1.jsonl'), 1], [join(sub, 'x-2.jsonl'), 1]]);
  const rest = await drain(src);
  assert.equal(flat([...first, ...rest]).length, 5);
  const deep = await make({ path: `${sub}/**/*.jsonl` });
  assert.deepEqual(deep.partitions?.(), [join(sub, 'nested', 'x-4.jsonl'), join(sub, 'x-1.jsonl'), join(sub, 'x-2.jsonl')]);
  await deep.close();
  await assert.rejects(make({ path: `${sub}/nothing-*.jsonl` }), /no file matches/);
});

void test('follow tails a file: a partial line waits for its newline, the input never ends, new glob files join', async () => {
  const sub = join(dir, 'follow');
  await mkdir(sub, { recursive: true });
  const path = join(sub, 'f-1.jsonl');
  await writeFile(path, '{"a":1}\n{"a":');
  const src = await make({ path: `${sub}/f-*.jsonl`, follow: true, read_size: 4 });
  assert.deepEqual(flat((await src.poll(10))!).map((l) => l.payload), ['{"a":1}']);
  assert.deepEqual(await src.poll(10), []);
  await appendFile(path, '2}\n{"a":3}\n');
  assert.deepEqual(flat((await src.poll(10))!).map((l) => [l.payload, l.line]), [['{"a":2}', 2], ['{"a":3}', 3]]);
  await writeFile(join(sub, 'f-2.jsonl'), '{"b":1}\n');
  assert.deepEqual(await src.poll(10), []);
  assert.deepEqual(flat((await src.poll(10))!).map((l) => [l.partition, l.payload]), [[join(sub, 'f-2.jsonl'), '{"b":1}']]);
  assert.deepEqual(src.position(), { [path]: { offset: 24, line: 3 }, [join(sub, 'f-2.jsonl')]: { offset: 8, line: 1 } });
  await src.close();
});

void test('a leading UTF-8 byte order mark is skipped, also when the first read is shorter than it', async () => {
  const path = join(dir, 'bom.jsonl');
  await writeFile(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\n{"a":2}\n')]));
  for (const read_size of [2, 3, 1 << 20]) {
    assert.deepEqual(flat(await drain(await make({ path, read_size }))).map((l) => [l.payload, l.line, l.offset]), [['{"a":1}', 1, 3], ['{"a":2}', 2, 11]], `read_size ${read_size}`);
  }
});

void test('a line longer than read_size grows the buffer', async () => {
  const path = join(dir, 'long.jsonl');
  const long = JSON.stringify({ s: 'y'.repeat(10_000) });
  await writeFile(path, `{"a":1}\n${long}\n{"a":2}\n`);
  assert.deepEqual(flat(await drain(await make({ path, read_size: 16 }))).map((l) => l.payload), ['{"a":1}', long, '{"a":2}']);
});

void test('watermark alignment: a paused file is skipped (not the end of input while it has lines); resumed, it is read on', async () => {
  const sub = join(dir, 'paused');
  await mkdir(sub);
  await writeFile(join(sub, 'a.jsonl'), '{"a":1}\n{"a":2}\n');
  await writeFile(join(sub, 'b.jsonl'), '{"b":1}\n{"b":2}\n');
  const src = await make({ path: join(sub, '*.jsonl') });
  const [a, b] = [join(sub, 'a.jsonl'), join(sub, 'b.jsonl')];
  src.pausePartitions!([b]);
  assert.deepEqual(flat((await src.poll(2))!).map((r) => r.partition), [a, a]);
  assert.deepEqual(await src.poll(2), [], 'a is done, b paused: nothing now, but not the end');
  src.resumePartitions!([b]);
  // drain reads to the end of input (null), which comes once b is done.
  assert.deepEqual(flat(await drain(src, 2)).map((r) => [r.partition, r.line]), [[b, 1], [b, 2]]);
});

void test('a checkpoint that named a file relative to the working directory resumes it by its absolute path', async () => {
  const path = join(dir, 'relative-named.jsonl');
  await writeFile(path, '{"a":1}\n{"a":2}\n');
  const written = relative(process.cwd(), path);
  const got = flat(await drain(await make({ path }, { [written]: { offset: 8, line: 1 } })));
  assert.deepEqual(got.map((r) => [r.partition, r.line]), [[path, 2]]);
});
