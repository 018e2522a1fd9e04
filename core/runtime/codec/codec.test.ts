import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder, RecordError } from '../../api/index.ts';
import { encodeProvenanceEnvelopes, getCodec, jsonCodec, rawCodec, CODEC_NAMES } from './index.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

void test('json decodes a chunk of text and byte payloads in order', () => {
  const { rows, failures } = jsonCodec.decode(['{"a":1}', bytes('{"b":"é"}'), '{"c":[1,2]}']);
  assert.deepEqual(rows, [{ a: 1 }, { b: 'é' }, { c: [1, 2] }]);
  assert.equal(failures.length, 0);
});

void test('json reports malformed lines with their index, reason and original text, and goes on', () => {
  const payloads = ['{"a":1}', '{"a":', 'not json', bytes('{"ok":true}'), '42', '[1]', 'null', '"s"', ''];
  const { rows, failures } = jsonCodec.decode(payloads);
  assert.deepEqual(rows[0], { a: 1 });
  assert.deepEqual(rows[3], { ok: true });
  assert.deepEqual(failures.map((f) => [f.index, f.error.reason, f.payload]), [
    [1, 'bad_json', '{"a":'],
    [2, 'bad_json', 'not json'],
    [4, 'not_an_object', '42'],
    [5, 'not_an_object', '[1]'],
    [6, 'not_an_object', 'null'],
    [7, 'not_an_object', '"s"'],
    [8, 'bad_json', ''],
  ]);
  for (const f of failures) {
    assert.ok(f.error instanceof RecordError);
    assert.equal(rows[f.index], undefined);
  }
});

void test('json encodes a batch as newline-terminated lines in one string', () => {
  const b = new BatchBuilder();
  b.push({ a: 1 }, 1);
  b.push({ s: 'x"y\n' }, 2);
  const out = jsonCodec.encode(b.take());
  assert.equal(out.text, '{"a":1}\n{"s":"x\\"y\\n"}\n');
  assert.equal(out.records, 2);
  assert.deepEqual(out.rejected, []);
});

void test('json writes the change kind first when asked, also for empty rows and clashing fields', () => {
  const b = new BatchBuilder();
  b.push({ k: 1, n: 2 }, 1);
  b.push({ k: 1, n: 3 }, 1, 'update');
  b.push({}, 1, 'delete');
  b.push({ op: 'mine', k: 2 }, 1, 'update');
  const out = jsonCodec.encode(b.take(), { changeField: 'op' });
  assert.equal(out.text, '{"op":"insert","k":1,"n":2}\n{"op":"update","k":1,"n":3}\n{"op":"delete"}\n{"op":"update","k":2}\n');
  for (const line of out.text.trimEnd().split('\n')) JSON.parse(line);
});

void test('json rejects records it cannot encode and keeps the others', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const b = new BatchBuilder();
  b.push({ a: 1 }, 1);
  b.push({ big: 10n }, 1);
  b.push(cyclic, 1);
  b.push({ a: 2 }, 1);
  const out = jsonCodec.encode(b.take());
  assert.equal(out.text, '{"a":1}\n{"a":2}\n');
  assert.equal(out.records, 2);
  assert.deepEqual(out.rejected.map((r) => [r.index, r.error.reason]), [[1, 'encode_error'], [2, 'encode_error']]);
});

void test('raw decodes any payload to {message} and encodes message lines', () => {
  const { rows, failures } = rawCodec.decode(['plain', bytes('{"not":"parsed"}'), '']);
  assert.deepEqual(rows, [{ message: 'plain' }, { message: '{"not":"parsed"}' }, { message: '' }]);
  assert.equal(failures.length, 0);
  const b = new BatchBuilder();
  b.push({ message: 'one' }, 1);
  b.push({ other: 1 }, 1);
  b.push({ message: 'a\nb' }, 1);
  b.push({ message: 'two', extra: true }, 1, 'update');
  const out = rawCodec.encode(b.take(), { changeField: 'op' });
  assert.equal(out.text, 'one\ntwo\n');
  assert.deepEqual(out.rejected.map((r) => r.index), [1, 2]);
});

void test('getCodec finds json and raw and refuses others', () => {
  assert.deepEqual([...CODEC_NAMES], ['json', 'raw']);
  assert.equal(getCodec('json'), jsonCodec);
  assert.equal(getCodec('raw'), rawCodec);
  assert.throws(() => getCodec('avro' as 'json'), /unknown codec 'avro'/);
});

void test('json round-trips what it encodes', () => {
  const rows = Array.from({ length: 100 }, (_, i) => ({ i, s: `v${i}\t"q"`, f: i / 7, n: null, nested: { l: [i, 'x'] } }));
  const b = new BatchBuilder();
  for (const r of rows) b.push(r, 0);
  const { text } = jsonCodec.encode(b.take());
  const back = jsonCodec.decode(text.slice(0, -1).split('\n'));
  assert.deepEqual(back.rows, rows);
});

void test('encodeEach gives one payload per record and leaves rejected ones undefined', () => {
  const b = new BatchBuilder();
  b.push({ a: 1 }, 1, 'update');
  b.push({ big: 1n }, 2);
  b.push({ message: 'two\nlines' }, 3);
  const batch = b.take();
  const json = jsonCodec.encodeEach(batch, { changeField: 'op' });
  assert.deepEqual(json.payloads, ['{"op":"update","a":1}', undefined, '{"op":"insert","message":"two\\nlines"}']);
  assert.deepEqual(json.rejected.map((r) => r.index), [1]);
  const raw = rawCodec.encodeEach(batch);
  assert.deepEqual(raw.payloads, [undefined, undefined, 'two\nlines']);
  assert.deepEqual(raw.rejected.map((r) => r.index), [0, 1]);
});

void test('provenance envelopes are written byte for byte as encoding {provenance, record} would, rejections included', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const rows: [Record<string, unknown>, 'insert' | 'update' | 'delete', unknown][] = [
    [{ a: 1, s: 'x"y\n' }, 'insert', { source: 'traffic', output: 'actions', partition: 0, offset: 12 }],
    [{}, 'update', undefined],
    [{ op: 'mine', record: 2 }, 'delete', [{ source: 'a', line: 1 }, { source: 'b', line: 2 }]],
    [{ big: 10n }, 'insert', { source: 's' }],
    [cyclic, 'insert', { source: 's' }],
    [{ toJSON: () => undefined }, 'insert', { source: 's' }],
    [{ nested: { l: [1, null, 'é'] } }, 'update', { source: 's', offset: '0-1' }],
  ];
  for (const changeField of [undefined, 'op', 'record', 'provenance']) {
    const b = new BatchBuilder();
    const wrapped = new BatchBuilder();
    for (const [row, kind, provenance] of rows) {
      b.push(row, 1, kind, provenance as never);
      wrapped.push({ provenance: provenance ?? null, record: row }, 1, kind, provenance as never);
    }
    const options = changeField === undefined ? {} : { changeField };
    const batch = b.take();
    const got = encodeProvenanceEnvelopes(batch, options);
    // Plugins reach it through the API: the `envelope` encode option of the block's codec.
    const viaOption = jsonCodec.encode(batch, { ...options, envelope: 'provenance' });
    assert.deepEqual([viaOption.text, viaOption.records, viaOption.rejected.map((r) => r.index)], [got.text, got.records, got.rejected.map((r) => r.index)]);
    const want = jsonCodec.encode(wrapped.take(), options);
    assert.equal(got.text, want.text, `change field ${changeField}`);
    assert.equal(got.records, want.records);
    assert.deepEqual(got.rejected.map((r) => [r.index, r.error.message]), want.rejected.map((r) => [r.index, r.error.message]));
  }
});
