/**
 * Issue 12: a record that neither the sink nor the dead-letter sink could encode (a 100 k-deep
 * array) was only logged, so it was lost. Now the dead-letter output writes a stand-in for it
 * (the error, a bounded preview and the provenance), so every record is still accounted for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sluice } from '../cli/sluice.ts';

void test('a record the dead-letter sink cannot encode is dead-lettered as a stand-in, not dropped', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-unencodable-'));
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  writeFileSync(join(cwd, 'events.jsonl'), `{"id":1}\n{"id":2,"deep":${deep}}\n{"id":3}\n`);
  writeFileSync(
    join(cwd, 'p.yaml'),
    `name: deep
sources:
  events: { file: { path: events.jsonl } }
sinks:
  out: { input: events, file: { path: out.jsonl } }
dead_letter: { file: { path: dead.jsonl } }
`,
  );
  // Past the decode depth limit (test/harden/record-depth.test.ts), so the record reaches the sink.
  const r = await sluice(['run', 'p.yaml'], { cwd, env: { SLUICE_MAX_RECORD_DEPTH: '1000000' } });
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  const out = readFileSync(join(cwd, 'out.jsonl'), 'utf8').split('\n').filter(Boolean);
  assert.deepEqual(out.map((l) => (JSON.parse(l) as { id: number }).id), [1, 3]);
  const dead = readFileSync(join(cwd, 'dead.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(dead.length, 1, 'the record is accounted for');
  assert.equal(dead[0]!.operator, 'out');
  assert.equal((dead[0]!.provenance as { line: number }).line, 2);
  const standIn = dead[0]!.record as { unencodable: string; preview: string };
  assert.match(standIn.unencodable, /Maximum call stack/);
  assert.ok(standIn.preview.startsWith('{"id":2,"deep":[[[['), standIn.preview.slice(0, 40));
  assert.ok(standIn.preview.length <= 1100);
});
