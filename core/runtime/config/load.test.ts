import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatConfigIssue, formatOrigin, loadRuntimeConfig, redactConfig, secretValues } from './index.ts';

/** A working directory with its own config/ folder holding `files`. */
function workdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
  mkdirSync(join(dir, 'config'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'config', name), text);
  return dir;
}

void test('the shipped files: defaults, then the NODE_ENV file', () => {
  const dev = loadRuntimeConfig({ env: {}, nodeEnv: 'development' });
  assert.deepEqual(dev.issues, []);
  assert.equal(dev.config.checkpoint.interval, 10_000);
  assert.equal(dev.config.checkpoint.timeout, 60_000);
  assert.deepEqual(dev.config.restart.backoff, { initial: 1_000, max: 60_000 });
  assert.equal(dev.config.job.state_dir, '.sluice');
  assert.equal(dev.config.engine.clock, 'system');
  assert.match(formatOrigin(dev.sources['checkpoint.interval']!), /^config\/default\.yaml:8:13$/);
  assert.equal(dev.sources['kafka.sasl.password']?.kind, 'default');

  const t = loadRuntimeConfig({ env: {}, nodeEnv: 'test' });
  assert.equal(t.config.engine.clock, 'logical');
  assert.equal(t.config.tracing.exporter, 'memory');
  assert.equal(t.config.tracing.sample_ratio, 1);
  assert.match(formatOrigin(t.sources['engine.clock']!), /^config\/test\.yaml:/);

  const prod = loadRuntimeConfig({ env: {}, nodeEnv: 'production' });
  assert.equal(prod.config.tracing.sample_ratio, 0.01);
  assert.equal(prod.config.tracing.exporter, 'otlp');
});

void test('environment variables override files, --set overrides both, and origins say so', () => {
  const r = loadRuntimeConfig({
    env: { SLUICE_CHECKPOINT_INTERVAL: '20s', SLUICE_LOG_LEVEL: 'debug' },
    sets: ['checkpoint.interval=30s', 'engine.batch_size=64'],
    nodeEnv: 'development',
  });
  assert.deepEqual(r.issues, []);
  assert.equal(r.config.checkpoint.interval, 30_000);
  assert.equal(r.config.engine.batch_size, 64);
  assert.equal(r.config.log.level, 'debug');
  assert.equal(formatOrigin(r.sources['checkpoint.interval']!), '--set checkpoint.interval=30s');
  assert.equal(formatOrigin(r.sources['log.level']!), 'env SLUICE_LOG_LEVEL');
});

void test('a bad file value is reported at file:line:col with the field doc, and the layer below stays', () => {
  const cwd = workdir({
    'default.yaml': 'checkpoint:\n  interval: ten seconds\n  intervall: 5s\nengine:\n  clock: sundial\n',
  });
  const r = loadRuntimeConfig({ env: {}, cwd, nodeEnv: 'development' });
  const lines = r.issues.map(formatConfigIssue);
  assert.equal(r.issues.length, 3, lines.join('\n'));
  assert.match(lines[0]!, /^config\/default\.yaml:2:13  checkpoint\.interval  must be a duration such as 10s.*value was "ten seconds" — Time between the starts of two checkpoints\.$/);
  assert.match(lines[1]!, /^config\/default\.yaml:5:10  engine\.clock  must be one of .* Allowed: system, logical\.$/);
  assert.match(lines[2]!, /^config\/default\.yaml:3:3  checkpoint\.intervall  unknown key 'checkpoint\.intervall' \(did you mean "checkpoint\.interval"\?\)/);
  assert.ok(r.issues.every((i) => i.code === 'E_RUNTIME_CONFIG' && i.severity === 'error'));
  assert.equal(r.config.checkpoint.interval, 10_000);
  assert.equal(r.sources['checkpoint.interval']?.kind, 'default');
});

void test('YAML syntax errors and a section written as a scalar are located', () => {
  const cwd = workdir({ 'default.yaml': 'job:\n  state_dir: [unclosed\n', 'development.yaml': 'checkpoint: 5\n' });
  const r = loadRuntimeConfig({ env: {}, cwd, nodeEnv: 'development' });
  const lines = r.issues.map(formatConfigIssue);
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[0]!, /^config\/default\.yaml:\d+:\d+  -  YAML syntax: /);
  assert.match(lines[1]!, /^config\/development\.yaml:1:13  checkpoint  'checkpoint' must be a mapping of its fields$/);
});

void test('a bad variable or flag names itself; a malformed or unknown --set is a usage error', () => {
  const r = loadRuntimeConfig({
    env: { SLUICE_CHECKPOINT_RETAIN: '3x' },
    sets: ['engine.queue_capacity=0', 'nonsense', 'engine.batchsize=5'],
    nodeEnv: 'development',
  });
  const lines = r.issues.map(formatConfigIssue);
  assert.ok(lines.includes('env SLUICE_CHECKPOINT_RETAIN  checkpoint.retain  must be an integer ≥ 1: value was "3x" — Complete checkpoints kept; older ones are pruned.'), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('--set engine.queue_capacity=0  engine.queue_capacity  must be an integer ≥ 1')));
  const usage = r.issues.filter((i) => i.code === 'E_USAGE').map(formatConfigIssue);
  assert.deepEqual(usage, [
    // Neither a malformed flag's text nor an unknown key's value is echoed: either may be a secret.
    '--set …  -  expected --set <path>=<value>, e.g. --set log.level=debug',
    `--set engine.batchsize  engine.batchsize  unknown config key 'engine.batchsize' (did you mean "engine.batch_size"?)`,
  ]);
  assert.equal(r.config.checkpoint.retain, 3);
  assert.equal(r.config.engine.queue_capacity, 8);
});

void test('secrets: from the environment or a _FILE, redacted when printed, a warning when written in a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-secret-'));
  writeFileSync(join(dir, 'pw'), 's3cr3t-from-file\n');
  const fromFile = loadRuntimeConfig({ env: { SLUICE_KAFKA_SASL_PASSWORD_FILE: join(dir, 'pw') }, nodeEnv: 'development' });
  assert.equal(fromFile.config.kafka.sasl.password, 's3cr3t-from-file');
  assert.equal(formatOrigin(fromFile.sources['kafka.sasl.password']!), `env SLUICE_KAFKA_SASL_PASSWORD_FILE (file ${join(dir, 'pw')})`);
  assert.equal(redactConfig(fromFile.config).kafka.sasl.password, '[redacted]');
  assert.equal(fromFile.config.kafka.sasl.password, 's3cr3t-from-file', 'redaction copies');
  assert.deepEqual(secretValues(fromFile.config), ['s3cr3t-from-file']);

  const cwd = workdir({ 'default.yaml': 'kafka:\n  sasl:\n    password: hunter2\n' });
  const committed = loadRuntimeConfig({ env: {}, cwd, nodeEnv: 'development' });
  assert.equal(committed.issues.length, 1);
  assert.equal(committed.issues[0]?.severity, 'warning');
  assert.ok(!formatConfigIssue(committed.issues[0]!).includes('hunter2'));

  const badValue = loadRuntimeConfig({ env: {}, sets: ['kafka.sasl.password=42'], nodeEnv: 'development' });
  assert.equal(badValue.config.kafka.sasl.password, '42');
});
