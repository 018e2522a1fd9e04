// The `sluice` command end to end: help, usage errors, lint, graph, plugins list, config,
// each with its documented exit code (docs/cli.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, sluice } from './sluice.ts';

void test('--help works on every command and lists the exit codes', async () => {
  const top = await sluice(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /Exit codes:\n {2}0 {2}ok\n {2}1 {2}problems found/);
  const commands = [['run'], ['savepoint'], ['savepoint', 'trigger'], ['savepoint', 'list'], ['savepoint', 'delete'], ['lint'], ['graph'], ['plugins'], ['plugins', 'list'], ['plugins', 'docs'], ['config'], ['test'], ['validate']];
  const results = await Promise.all(commands.map((c) => sluice([...c, '--help'])));
  results.forEach((r, i) => {
    assert.equal(r.code, 0, commands[i]!.join(' '));
    assert.match(r.stdout, new RegExp(`^Usage: sluice ${commands[i]!.join(' ')}`), commands[i]!.join(' '));
  });
});

void test('usage errors exit 2', async () => {
  const [unknown, missing, badOption, badEvents, unreadable] = await Promise.all([
    sluice(['frobnicate']),
    sluice(['graph']),
    sluice(['lint', '--no-such-option', 'x.yaml']),
    sluice(['run', 'pipelines/x.yaml', '--events', 'many']),
    sluice(['lint', 'test/cli/fixtures/does-not-exist.yaml']),
  ]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing required argument 'pipeline'/);
  assert.equal(badOption.code, 2);
  assert.equal(badEvents.code, 2);
  assert.match(badEvents.stderr, /expected a whole number/);
  assert.equal(unreadable.code, 2);
  assert.match(unreadable.stdout, /does-not-exist\.yaml:1:1 .*cannot read the pipeline file/);
});

void test('lint reports a YAML syntax error with line and column, exit 1', async () => {
  const r = await sluice(['lint', 'test/cli/fixtures/syntax-error.yaml']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^test\/cli\/fixtures\/syntax-error\.yaml:\d+:\d+ {2}.*\[E_YAML_SYNTAX\]$/m);
});

void test('lint reports an unknown key, an unknown plugin and a missing input at once, each with its line', async () => {
  const r = await sluice(['lint', 'test/cli/fixtures/three-problems.yaml', 'test/cli/fixtures/good.yaml']);
  assert.equal(r.code, 1);
  const lines = r.stdout.split('\n').filter((l) => /^\S+:\d+:\d+ {2}/.test(l));
  assert.deepEqual(
    lines.map((l) => /^(\S+):(\d+):\d+ {2}(\S+) {2}.*\[(\w+)\]$/.exec(l)!.slice(1)),
    [
      ['test/cli/fixtures/three-problems.yaml', '9', 'operators.big.filter.wher', 'E_UNKNOWN_KEY'],
      ['test/cli/fixtures/three-problems.yaml', '12', 'operators.enriched.enrich_magic', 'E_UNKNOWN_PLUGIN'],
      ['test/cli/fixtures/three-problems.yaml', '15', 'sinks.out.input', 'E_UNKNOWN_INPUT'],
    ],
  );
  assert.match(r.stdout, /did you mean "where"\?/);
  assert.match(r.stderr, /2 files: 3 errors, 0 warnings/);
});

void test('lint exits 0 on a good file and on every shipped pipeline', async () => {
  const shipped = readdirSync(join(REPO, 'pipelines')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml')).map((f) => `pipelines/${f}`);
  const r = await sluice(['lint', 'test/cli/fixtures/good.yaml', ...shipped]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /\[E_/);
});

void test('graph prints a Mermaid flowchart; a broken pipeline exits 1 with its problems', async () => {
  const [good, broken] = await Promise.all([sluice(['graph', 'test/cli/fixtures/good.yaml']), sluice(['graph', 'test/cli/fixtures/three-problems.yaml'])]);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /^flowchart/);
  assert.match(good.stdout, /orders/);
  assert.match(good.stdout, /filter/);
  assert.equal(broken.code, 1);
  assert.equal(broken.stdout, '');
  assert.match(broken.stderr, /E_UNKNOWN_PLUGIN/);
});

void test('plugins list shows every built-in with kind and summary, and the installed example package', async () => {
  const r = await sluice(['plugins', 'list', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { kind: string; name: string; package: string; summary: string }[];
  assert.ok(rows.some((p) => p.kind === 'operator' && p.name === 'filter' && p.package === 'built-in' && p.summary.length > 0));
  assert.ok(rows.some((p) => p.kind === 'operator' && p.name === 'geo_lookup' && p.package === 'sluice-plugin-geo'));
  assert.ok(rows.every((p) => p.summary.length > 0));
  const table = await sluice(['plugins', 'list']);
  assert.match(table.stdout, /^KIND +NAME +PACKAGE +SUMMARY$/m);
  assert.match(table.stdout, /^operator +filter +built-in +Keeps the records/m);
});

void test('config prints each value with its origin and redacts secrets', async () => {
  const r = await sluice(['config', '--set', 'checkpoint.interval=30s'], {
    env: { SLUICE_LOG_LEVEL: 'debug', SLUICE_KAFKA_SASL_PASSWORD: 'hunter2' },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^checkpoint\.interval +30s +--set checkpoint\.interval=30s$/m);
  assert.match(r.stdout, /^log\.level +debug +env SLUICE_LOG_LEVEL$/m);
  assert.match(r.stdout, /^checkpoint\.timeout +1m +config\/default\.yaml:9:12$/m);
  assert.match(r.stdout, /^kafka\.sasl\.password +\[redacted\] +env SLUICE_KAFKA_SASL_PASSWORD$/m);
  assert.doesNotMatch(r.stdout + r.stderr, /hunter2/);

  const prod = await sluice(['config', '--json'], { env: { NODE_ENV: 'production' } });
  const json = JSON.parse(prod.stdout) as Record<string, { value: unknown; origin: string }>;
  assert.deepEqual(json['tracing.sample_ratio'], { value: 0.01, origin: 'config/production.yaml:7:17' });
});

void test('config exits 1 on an invalid value and 2 on a malformed --set', async () => {
  const [invalid, malformed] = await Promise.all([
    sluice(['config'], { env: { SLUICE_ENGINE_CLOCK: 'sundial' } }),
    sluice(['config', '--set', 'loglevel']),
  ]);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /^env SLUICE_ENGINE_CLOCK {2}engine\.clock {2}must be one of/m);
  assert.equal(malformed.code, 2);
});
