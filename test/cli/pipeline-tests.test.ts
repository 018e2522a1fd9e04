/**
 * `sluice test` end to end: every shipped `pipelines/*.test.yaml` passes; a deliberately
 * wrong expectation fails with exit 1 and a diff naming the rows; an invalid test file is
 * reported like lint's problems (exit 1); an unreadable one is a usage error (exit 2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runPipelineTest } from '../../core/testing/index.ts';
import { REPO, sluice } from './sluice.ts';

const FIXTURES = 'test/cli/fixtures/pipeline-tests';
const shipped = readdirSync(join(REPO, 'pipelines'))
  .filter((f) => f.endsWith('.test.yaml'))
  .map((f) => `pipelines/${f}`);

void test('every shipped pipeline test passes (exit 0)', async () => {
  assert.ok(shipped.length > 0, 'pipelines/ has test files');
  const r = await sluice(['test', ...shipped]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /^FAIL/m);
  const passed = /^(\d+) passed, 0 failed$/m.exec(r.stdout);
  assert.ok(passed && Number(passed[1]) >= 3, r.stdout);
});

void test('a wrong expectation fails with exit 1 and a readable diff', async () => {
  const r = await sluice(['test', `${FIXTURES}/wrong-expectations.test.yaml`]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const file = `${FIXTURES}/wrong-expectations.test.yaml`;
  assert.match(r.stdout, new RegExp(`^ok {4}${file} {2}right$`, 'm'));
  assert.match(r.stdout, new RegExp(`^FAIL {2}${file} {2}wrong count, a missing window and an unexpected one$`, 'm'));
  const diff = r.stdout.slice(r.stdout.indexOf('FAIL'));
  assert.equal(
    diff,
    [
      `FAIL  ${file}  wrong count, a missing window and an unexpected one`,
      '      out: 2 expected, 2 arrived — 1 different, 1 missing, 1 unexpected',
      '        ~ different  {page: "home", window_start: 0, window_end: 60000, users: 2}  clicks: expected 3, got 2',
      '        - missing     {page: "board", window_start: 0, window_end: 60000, clicks: 1, users: 1}',
      '        + unexpected  {page: "pin", window_start: 60000, window_end: 120000, clicks: 1, users: 1}',
      '      late: 1 expected, 0 arrived, matched on the fields listed — 0 different, 1 missing, 0 unexpected',
      '        - missing     {reason: "window_closed"}',
      '1 passed, 1 failed',
      '',
    ].join('\n'),
  );
});

void test('an invalid test file: every problem located, exit 1', async () => {
  const r = await sluice(['test', `${FIXTURES}/invalid.test.yaml`]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const located = r.stdout.split('\n').flatMap((l) => /^ {6}\S+invalid\.test\.yaml:(\d+:\d+) {2}(\S+) .*\[(E_\w+)\]$/.exec(l)?.slice(1).join(' ') ?? []);
  assert.deepEqual(located, [
    '5:7 tests[0].inputs.event E_UNKNOWN_INPUT',
    '7:11 tests[0].inputs.event[1] E_CONFIG_INVALID',
    '8:24 tests[0].inputs.event[2].watermark E_CONFIG_INVALID',
    '10:7 tests[0].expected.outt E_UNKNOWN_KEY',
    '11:5 tests[0].orderd E_UNKNOWN_KEY',
  ]);
  assert.match(r.stdout, /no source \(or named output\) "event" \(did you mean "events"\?\)/);
  assert.match(r.stdout, /^0 passed, 1 failed$/m);
});

void test('an unreadable test file is a usage error (exit 2)', async () => {
  const r = await sluice(['test', `${FIXTURES}/does-not-exist.test.yaml`]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error \[E_USAGE\]: cannot read the test file \S*does-not-exist\.test\.yaml \(ENOENT\)$/m);
});

void test('runPipelineTest returns each case with its failures (the API plugin authors call)', async () => {
  const result = await runPipelineTest(`${FIXTURES}/wrong-expectations.test.yaml`, { cwd: REPO });
  assert.equal(result.file, `${FIXTURES}/wrong-expectations.test.yaml`);
  assert.deepEqual(
    result.cases.map((c) => [c.name, c.passed, c.failures.length]),
    [
      ['right', true, 0],
      ['wrong count, a missing window and an unexpected one', false, 2],
    ],
  );
  assert.match(result.cases[1]!.failures[0]!, /^out: 2 expected, 2 arrived/);
});

void test('lint checks *.test.yaml files as pipeline tests: `lint pipelines/*.yaml` covers both', async () => {
  const all = readdirSync(join(REPO, 'pipelines'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `pipelines/${f}`);
  const [clean, invalid] = await Promise.all([sluice(['lint', ...all]), sluice(['lint', `${FIXTURES}/invalid.test.yaml`])]);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stdout, /^\S+invalid\.test\.yaml:10:7 {2}tests\[0\]\.expected\.outt {2}the pipeline has no sink "outt" \(did you mean "out"\?\) \[E_UNKNOWN_KEY\]$/m);
});

void test('a job that fails while a case runs: the case fails with the error, exit 3', async () => {
  const r = await sluice(['test', '--allow-plugin-path', `${FIXTURES}/runtime-failure.test.yaml`]);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /^FAIL {2}\S+runtime-failure\.test\.yaml {2}the job fails at watermark 100\n {6}the job failed: .*the watermark reached 100 \[E_PLUGIN_FAILED\]$/m);
});
