/**
 * Issue 12: `sluice config --set kafka.sasl.password=…` printed the secret in the origin
 * column (text and `--json`), and in the error for a mistyped key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sluice } from '../cli/sluice.ts';

const SECRET = 'hunter2-Zq9';

void test('a secret given with --set is shown nowhere: not as value, not as origin, not in errors', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-config-secret-'));
  const text = await sluice(['config', '--set', `kafka.sasl.password=${SECRET}`], { cwd });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^kafka\.sasl\.password +\[redacted\] +--set kafka\.sasl\.password$/m);
  const json = await sluice(['config', '--json', '--set', `kafka.sasl.password=${SECRET}`], { cwd });
  assert.equal(json.code, 0, json.stderr);
  const typo = await sluice(['config', '--set', `kafka.sasl.pasword=${SECRET}`], { cwd });
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown config key 'kafka\.sasl\.pasword'/);
  const malformed = await sluice(['config', '--set', SECRET], { cwd });
  assert.notEqual(malformed.code, 0);
  for (const r of [text, json, typo, malformed]) assert.doesNotMatch(r.stdout + r.stderr, new RegExp(SECRET));
});

void test('a non-secret --set keeps its value in the origin, so a user sees what they set', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-config-secret-'));
  const r = await sluice(['config', '--set', 'engine.clock=logicl'], { cwd });
  assert.match(r.stderr, /^--set engine\.clock=logicl  engine\.clock  must be one of/m);
});
