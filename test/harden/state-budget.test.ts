/**
 * Issue 12: keyed state had no bound (4.2 M window keys took 4.7 GB against a ~4.1 GB heap).
 * Now `state.max_keys` bounds the keys each operator holds: past it the job fails with an
 * error naming the operator (located at its block), its key count and the setting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sluice } from '../cli/sluice.ts';

const PIPELINE = `name: budget
sources:
  events:
    generator:
      seed: 3
      count: 20000
      fields:
        user_id: { int: [1, 5000] }
        ts: { sequence: { start: "2026-01-01T00:00:00Z", step: 10ms } }
    event_time: { field: ts, max_out_of_orderness: 1s }
operators:
  per_user:
    input: events
    window_aggregate:
      key: user_id
      window: { tumbling: 1h }
      aggregates: { n: count }
sinks:
  out: { input: per_user, file: { path: out.jsonl } }
dead_letter: { file: { path: dead.jsonl } }
`;

function project(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-state-budget-'));
  writeFileSync(join(cwd, 'p.yaml'), PIPELINE);
  return cwd;
}

void test('a window over ~5000 keys with a budget of 1000 fails with a located error naming the operator, its keys and the setting', async () => {
  const r = await sluice(['run', 'p.yaml'], { cwd: project(), env: { SLUICE_STATE_MAX_KEYS: '1000' } });
  assert.notEqual(r.code, 0, 'the job must fail');
  // At once: a restart would replay into the same keys.
  assert.match(r.stderr, /not restarting: a restart cannot fix this \[E_STATE_BUDGET\]/);
  const line = r.stderr.split('\n').find((l) => l.startsWith('error ['));
  assert.ok(line, r.stderr.slice(-2000));
  assert.match(line, /operator 'per_user' \(plugin window_aggregate\) failed in processBatch \(p\.yaml:12:3, operators\.per_user\)/);
  const keys = Number(/holds (\d+) keys in keyed state, over its budget of 1000/.exec(line)?.[1]);
  // Checked after each batch: at most one batch (1024 records) past the budget.
  assert.ok(keys > 1000 && keys <= 1000 + 1024, line);
  assert.match(line, /setting state\.max_keys, variable SLUICE_STATE_MAX_KEYS/);
});

void test('under its budget (or with none, the default) the same job finishes', async () => {
  for (const env of [{ SLUICE_STATE_MAX_KEYS: '6000' }, {}] as Record<string, string>[]) {
    const r = await sluice(['run', 'p.yaml'], { cwd: project(), env });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
  }
});
