import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readPipelineTestFile } from './test-file.ts';

const where = (issues: readonly { line: number; col: number; configPath: string; code: string }[]) => issues.map((i) => `${i.line}:${i.col} ${i.configPath} ${i.code}`);

void test('items: records, watermarks (epoch ms or ISO-8601, with a partition), explicit records; nothing interpolated', () => {
  const text = [
    'pipeline: p.yaml',
    'env: { N: 3, FLAG: true }',
    'tests:',
    '  - name: t',
    '    inputs:',
    '      s:',
    '        - { a: 1, note: "${HOME}" }',
    '        - { watermark: 10 }',
    '        - { watermark: "1970-01-01T00:00:01Z", partition: 2 }',
    '        - { record: { watermark: 5 }, partition: p1 }',
    '        - { record: 1, partition: x, other: 2 }',
    '    expected: { out: [{ a: 1 }] }',
  ].join('\n');
  const { test: t, issues } = readPipelineTestFile('t.yaml', text);
  assert.deepEqual(issues, []);
  assert.deepEqual(t!.env, { N: '3', FLAG: 'true' });
  const items = t!.cases[0]!.inputs.s!.map(({ path: _path, ...rest }) => rest);
  assert.deepEqual(items, [
    { record: { a: 1, note: '${HOME}' } },
    { watermark: 10 },
    { watermark: 1000, partition: 2 },
    { record: { watermark: 5 }, partition: 'p1' },
    // Not the explicit form (an extra key): a plain record with those three fields.
    { record: { record: 1, partition: 'x', other: 2 } },
  ]);
  assert.deepEqual(t!.cases[0]!.expected, { out: [{ a: 1 }] });
  assert.equal(t!.cases[0]!.ordered, false);
});

void test('every problem at once, located: structure, items, duplicate names, end_of_input false', () => {
  const text = [
    'pipeline: p.yaml',
    'tests:',
    '  - name: t',
    '    inputs:',
    '      s: [{ watermark: later }, "x", { record: 3 }]',
    '    expected: { out: [1] }',
    '    end_of_input: false',
    '  - name: t',
    '    input: {}',
  ].join('\n');
  const { issues } = readPipelineTestFile('t.yaml', text);
  assert.deepEqual(where(issues).sort(), [
    '5:24 tests[0].inputs.s[0].watermark E_CONFIG_INVALID',
    '5:33 tests[0].inputs.s[1] E_CONFIG_INVALID',
    '5:48 tests[0].inputs.s[2].record E_CONFIG_INVALID',
    '6:23 tests[0].expected.out[0] E_CONFIG_INVALID',
    '7:19 tests[0].end_of_input E_CONFIG_INVALID',
    '8:11 tests[1].name E_DUPLICATE_ID',
    '9:5 tests[1].input E_UNKNOWN_KEY',
  ]);
});

void test('a file without tests or pipeline, and broken YAML', () => {
  assert.deepEqual(where(readPipelineTestFile('t.yaml', 'tests: []\n').issues), ['1:1  E_MISSING_FIELD', '1:8 tests E_CONFIG_INVALID']);
  assert.deepEqual(where(readPipelineTestFile('t.yaml', 'pipeline: [\n').issues).map((l) => l.split(' ').pop()), ['E_YAML_SYNTAX']);
});
