/**
 * Issue 12: a record nested 100 000 levels deep reached the sinks, which could not encode it.
 * Now the json codec dead-letters a record deeper than SLUICE_MAX_RECORD_DEPTH (64 unless
 * set) at decode, with reason `too_deep` naming the limit and its setting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCodec } from '../../core/runtime/codec/index.ts';
import { sluice } from '../cli/sluice.ts';

const json = getCodec('json');
const nested = (depth: number, leaf = '1'): string => '{"a":'.repeat(depth - 1) + `{"a":${leaf}}` + '}'.repeat(depth - 1);

void test('a record deeper than the limit is a decode failure naming the limit and its setting', () => {
  const deepArray = '{"x":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
  const { rows, failures } = json.decode([nested(64), nested(65), deepArray, '{"ok":true}']);
  assert.deepEqual(failures.map((f) => f.index), [1, 2]);
  for (const f of failures) {
    assert.equal(f.error.reason, 'too_deep');
    assert.match(f.error.message, /deeper than 64 levels.*SLUICE_MAX_RECORD_DEPTH/);
  }
  assert.ok(rows[0], 'exactly at the limit decodes');
  assert.deepEqual(rows[3], { ok: true });
});

void test('brackets inside strings do not count; many shallow brackets are fine', () => {
  const inString = `{"s":${JSON.stringify('{['.repeat(500))},"t":"\\"[[[["}`;
  const wide = `{"list":[${Array.from({ length: 500 }, () => '{"a":[1]}').join(',')}]}`;
  const { rows, failures } = json.decode([inString, wide]);
  assert.deepEqual(failures, []);
  assert.equal((rows[0] as { s: string }).s.length, 1000);
  assert.equal((rows[1] as { list: unknown[] }).list.length, 500);
});

void test('SLUICE_MAX_RECORD_DEPTH raises or lowers the limit', () => {
  const before = process.env.SLUICE_MAX_RECORD_DEPTH;
  try {
    process.env.SLUICE_MAX_RECORD_DEPTH = '200';
    assert.deepEqual(json.decode([nested(150)]).failures, []);
    process.env.SLUICE_MAX_RECORD_DEPTH = '3';
    const { failures } = json.decode([nested(3), nested(4), '{"a":[[1]]}', '{"a":[[[1]]]}']);
    assert.deepEqual(failures.map((f) => f.index), [1, 3]);
    assert.match(failures[0]!.error.message, /deeper than 3 levels/);
  } finally {
    if (before === undefined) delete process.env.SLUICE_MAX_RECORD_DEPTH;
    else process.env.SLUICE_MAX_RECORD_DEPTH = before;
  }
});

void test('a run dead-letters the deep record at its source and writes the others', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-depth-'));
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  writeFileSync(join(cwd, 'events.jsonl'), `{"id":1}\n{"id":2,"deep":${deep}}\n{"id":3}\n`);
  writeFileSync(join(cwd, 'p.yaml'), 'name: deep\nsources:\n  events: { file: { path: events.jsonl } }\nsinks:\n  out: { input: events, file: { path: out.jsonl } }\ndead_letter: { file: { path: dead.jsonl } }\n');
  const r = await sluice(['run', 'p.yaml'], { cwd });
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  const out = readFileSync(join(cwd, 'out.jsonl'), 'utf8').split('\n').filter(Boolean);
  assert.deepEqual(out.map((l) => (JSON.parse(l) as { id: number }).id), [1, 3]);
  const dead = readFileSync(join(cwd, 'dead.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(dead.length, 1);
  assert.equal(dead[0]!.operator, 'events');
  assert.match(JSON.stringify(dead[0]), /too_deep/);
  assert.match(JSON.stringify(dead[0]), /SLUICE_MAX_RECORD_DEPTH/);
});
