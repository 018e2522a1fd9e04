/**
 * Issue 12: invalid UTF-8 became U+FFFD (and so a new key), and a 100 MB line was read
 * whole. Now a line that is not valid UTF-8 is dead-lettered with reason `invalid_utf8` and
 * the byte offset; a line longer than `max_line_bytes` fails the source naming the setting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sluice } from '../cli/sluice.ts';

const pipeline = (extra: string): string => `name: lines
sources:
  events: { file: { path: events.jsonl${extra} } }
sinks:
  out: { input: events, file: { path: out.jsonl } }
dead_letter: { file: { path: dead.jsonl } }
`;

void test('a line that is not valid UTF-8 is dead-lettered with its byte offset, not changed', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-utf8-'));
  const bad = Buffer.concat([Buffer.from('{"k":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]);
  writeFileSync(join(cwd, 'events.jsonl'), Buffer.concat([Buffer.from('{"k":"café"}\n'), bad, Buffer.from('{"k":"\uFFFD ok"}\n')]));
  writeFileSync(join(cwd, 'p.yaml'), pipeline(''));
  const r = await sluice(['run', 'p.yaml'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  const out = readFileSync(join(cwd, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { k: string }).k);
  assert.deepEqual(out, ['café', '\uFFFD ok'], 'a real U+FFFD in the file is kept');
  const dead = readFileSync(join(cwd, 'dead.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string; error: string; provenance: { line: number } });
  assert.equal(dead.length, 1);
  assert.equal(dead[0]!.reason, 'invalid_utf8');
  assert.match(dead[0]!.error, /at byte 9\b/);
  assert.equal(dead[0]!.provenance.line, 2);
});

void test('a line longer than max_line_bytes fails the source with an error naming the setting', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-long-line-'));
  writeFileSync(join(cwd, 'events.jsonl'), `{"k":1}\n{"k":"${'x'.repeat(5000)}"}\n`);
  writeFileSync(join(cwd, 'p.yaml'), pipeline(', read_size: 256, max_line_bytes: 1024'));
  const r = await sluice(['run', 'p.yaml', '--set', 'restart.max_attempts=0'], { cwd });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /line 2 of '(?:.*\/)?events\.jsonl' is longer than max_line_bytes \(1024 bytes\)/);
});
