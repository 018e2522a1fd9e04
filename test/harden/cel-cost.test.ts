/**
 * Issue 12: CEL evaluation had no cost limit: nested `.map` over lists ran a job to a 4.3 GB
 * heap abort. Now an evaluation over `engine.cel_max_cost` comprehension iterations
 * (1,000,000 by default) dead-letters that record with reason `cel_cost_exceeded`; the
 * other records and the job go on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sluice } from '../cli/sluice.ts';

function project(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-cel-cost-'));
  const list = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => i));
  // 10 × 10 = 110 iterations; 2000 × 2000 = 4,002,000: over the default.
  writeFileSync(join(cwd, 'events.jsonl'), `{"id":1,"xs":${list(10)}}\n{"id":2,"xs":${list(2000)}}\n{"id":3,"xs":${list(300)}}\n`);
  writeFileSync(join(cwd, 'p.yaml'), `name: cel_cost
sources:
  events: { file: { path: events.jsonl } }
operators:
  pairs:
    input: events
    map: { project: { id: id, pairs: 'size(xs.map(a, xs.map(b, a + b)))' } }
sinks:
  out: { input: pairs, file: { path: out.jsonl } }
dead_letter: { file: { path: dead.jsonl } }
`);
  return cwd;
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

void test('an evaluation over the cost limit dead-letters its record (cel_cost_exceeded); the others go on', async () => {
  const cwd = project();
  const r = await sluice(['run', 'p.yaml'], { cwd });
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.deepEqual(lines(join(cwd, 'out.jsonl')), [{ id: 1, pairs: 10 }, { id: 3, pairs: 300 }]);
  const dead = lines(join(cwd, 'dead.jsonl'));
  assert.equal(dead.length, 1);
  assert.equal(dead[0]!.operator, 'pairs');
  assert.equal(dead[0]!.reason, 'cel_cost_exceeded');
  assert.match(JSON.stringify(dead[0]), /over 1000000 comprehension iterations \(setting engine\.cel_max_cost\)/);
});

void test('engine.cel_max_cost sets the limit', async () => {
  const cwd = project();
  const r = await sluice(['run', 'p.yaml'], { cwd, env: { SLUICE_ENGINE_CEL_MAX_COST: '50000' } });
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.deepEqual(lines(join(cwd, 'out.jsonl')), [{ id: 1, pairs: 10 }]);
  assert.deepEqual(lines(join(cwd, 'dead.jsonl')).map((d) => [(d.record as { id: number }).id, d.reason]), [[2, 'cel_cost_exceeded'], [3, 'cel_cost_exceeded']]);
});
