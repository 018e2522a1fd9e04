/**
 * `sluice config` on layers written by a user: every invalid value or key in every layer
 * reported at its file:line:col (or variable, or flag) with the field's doc, the invalid
 * value left out, secrets in files warned about and never printed; `--docs` matches the
 * committed docs/configuration.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderConfigReference } from '../../core/runtime/config/reference.ts';
import { REPO, sluice } from './sluice.ts';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-config-cli-'));
  mkdirSync(join(dir, 'config'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'config', name), text);
  return dir;
}

void test('invalid layers: each problem at its place with the field doc; exit 1; the layer below stays', async () => {
  const cwd = project({
    'default.yaml': 'checkpoint:\n  interval: 10 seconds\n  timeout: 2m\nengin:\n  batch_size: 3\n',
    'staging.yaml': 'log:\n  level: loud\nkafka:\n  sasl:\n    password: hunter2\n',
  });
  const r = await sluice(['config', '--set', 'engine.clock=logicl'], { cwd, env: { NODE_ENV: 'staging', SLUICE_METRICS_PORT: '70000' } });
  assert.equal(r.code, 1, r.stderr);
  const problems = r.stderr.trimEnd().split('\n');
  assert.deepEqual(
    problems.map((l) => l.split(' — ')[0]),
    [
      'config/default.yaml:2:13  checkpoint.interval  must be a duration such as 10s, 1m or 250ms: value was "10 seconds"',
      'config/default.yaml:5:3  engin.batch_size  unknown key \'engin.batch_size\' (did you mean "engine.batch_size"?)',
      'config/staging.yaml:2:10  log.level  must be one of debug, info, warn, error, silent: value was "loud"',
      'config/staging.yaml:5:15  kafka.sasl.password  warning: a secret written in a file; set SLUICE_KAFKA_SASL_PASSWORD in the environment instead',
      'env SLUICE_METRICS_PORT  metrics.port  must be a port, 0 to 65535: value was 70000',
      '--set engine.clock=logicl  engine.clock  must be one of system, logical: value was "logicl" (did you mean "logical"?)',
    ],
  );
  assert.match(problems[0]!, / — Time between the starts of two checkpoints\.$/, 'the field doc follows');
  // Invalid values are left out; valid ones of the same layer stay in force.
  assert.match(r.stdout, /^checkpoint\.interval +10s +default$/m);
  assert.match(r.stdout, /^checkpoint\.timeout +2m +config\/default\.yaml:3:12$/m);
  assert.match(r.stdout, /^engine\.clock +system +default$/m);
  assert.match(r.stdout, /^kafka\.sasl\.password +\[redacted\] +config\/staging\.yaml:5:15$/m);
  assert.doesNotMatch(r.stdout + r.stderr, /hunter2/);
});

void test('docs/configuration.md is what `sluice config --docs` renders from the schema', async () => {
  const committed = readFileSync(join(REPO, 'docs/configuration.md'), 'utf8');
  assert.equal(committed, renderConfigReference(), 'run `npx sluice config --docs > docs/configuration.md` and commit the result');
  const r = await sluice(['config', '--docs']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, committed);
  for (const path of ['checkpoint.interval', 'engine.clock', 'kafka.sasl.password', 'log.level']) assert.match(committed, new RegExp(`^\\| \`${path.replace('.', '\\.')}\``, 'm'));
});
