import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePipelineFile } from './yaml.ts';

const where = (issues: readonly { line: number; col: number; code: string }[]) => issues.map((i) => `${i.line}:${i.col} ${i.code}`);

void test('syntax errors carry line and column; all of them', () => {
  const r = parsePipelineFile('p.yaml', 'name: x\nsources:\n  a: [1, 2\n  b: 3\nc: 1\nc: 2\n', {});
  assert.equal(r.ok, false);
  assert.deepEqual(where(r.issues), ['4:3 E_YAML_SYNTAX', '6:1 E_YAML_SYNTAX']);
  assert.match(r.issues[1]!.message, /^YAML: Map keys must be unique$/);
});

void test('tabs as indentation are a syntax error at their place', () => {
  const r = parsePipelineFile('p.yaml', 'a:\n\tb: 1\n', {});
  assert.deepEqual(where(r.issues), ['2:1 E_YAML_SYNTAX']);
});

void test('custom and non-core tags are rejected, core tags are fine', () => {
  const r = parsePipelineFile('p.yaml', 'a: !!str 3\nb: !foo x\nc: !!binary aGVsbG8=\nd: !!js/function "function(){}"\n', {});
  assert.deepEqual(where(r.issues), ['2:4 E_YAML_SYNTAX', '3:4 E_YAML_SYNTAX', '4:4 E_YAML_SYNTAX']);
  assert.match(r.issues[0]!.message, /tag !foo is not allowed/);
  assert.equal(r.issues[0]!.configPath, 'b');
  assert.match(r.issues[1]!.message, /tag !!binary is not allowed/);
});

void test('an alias bomb fails cleanly at the first alias', () => {
  let text = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n';
  let prev = 'a';
  for (let i = 0; i < 9; i++) {
    text += `b${i}: &b${i} [${Array(10).fill(`*${prev}`).join(', ')}]\n`;
    prev = `b${i}`;
  }
  const started = Date.now();
  const r = parsePipelineFile('bomb.yaml', text, {});
  assert.ok(Date.now() - started < 2000);
  assert.equal(r.ok, false);
  assert.deepEqual(where(r.issues), ['2:10 E_YAML_SYNTAX']);
  assert.match(r.issues[0]!.message, /alias bomb/);
});

void test('a few aliases are fine', () => {
  const r = parsePipelineFile('p.yaml', 'common: &c { path: x }\nuse: *c\n', {});
  assert.equal(r.ok, true);
  assert.deepEqual(r.value, { common: { path: 'x' }, use: { path: 'x' } });
});

void test('interpolation: plain scalars re-read, quoted stay strings, unset located', () => {
  const text = 'port: ${PORT:-9092}\nquoted: "${PORT:-9092}"\nhost: ${HOST}\nlist: ["${A:-a}", x]\nmissing: [ok, "${NOPE}"]\n';
  const r = parsePipelineFile('p.yaml', text, { HOST: 'db' });
  assert.equal(r.ok, true);
  assert.deepEqual(r.value, { port: 9092, quoted: '9092', host: 'db', list: ['a', 'x'], missing: ['ok', ''] });
  assert.deepEqual(where(r.unsetEnv), ['5:15 E_ENV_UNSET']);
  assert.equal(r.unsetEnv[0]!.configPath, 'missing[1]');
  assert.match(r.unsetEnv[0]!.message, /NOPE is not set/);
});

void test('keys are not interpolated', () => {
  const r = parsePipelineFile('p.yaml', '${K}: v\n', { K: 'k' });
  assert.deepEqual(r.value, { '${K}': 'v' });
});

void test('a key written null (a `null` sink block) is the string "null", its position kept', () => {
  const r = parsePipelineFile('p.yaml', 'sinks:\n  out: { input: x, null: {} }\n  other:\n    Null:\n      a: 1\n', {});
  assert.equal(r.ok, true);
  assert.deepEqual(r.value, { sinks: { out: { input: 'x', null: {} }, other: { Null: { a: 1 } } } });
  assert.deepEqual(r.locator.key(['sinks', 'out', 'null']), { line: 2, col: 20 });
  assert.deepEqual(r.locator.value(['sinks', 'other', 'Null', 'a']), { line: 5, col: 10 });
  // Values stay nulls.
  assert.deepEqual(parsePipelineFile('p.yaml', 'a: null\nb: ~\n', {}).value, { a: null, b: null });
});

void test('interpolation can be turned off (test files read values as written)', () => {
  const r = parsePipelineFile('p.yaml', 'a: "${NOPE}"\n', {}, { interpolate: false });
  assert.deepEqual(r.value, { a: '${NOPE}' });
  assert.deepEqual(r.unsetEnv, []);
});

void test('an unquoted ${VAR} in a flow map: the error says how to fix it, and its cascade is one line', () => {
  const text = 'name: x\nsources:\n  s:\n    file: { path: a }\n    event_time: { field: ts, idle_timeout: ${IDLE:-1m} }\nsinks:\n  out: { input: s, file: { path: b } }\n';
  const r = parsePipelineFile('p.yaml', text, {});
  assert.equal(r.ok, false);
  assert.match(r.issues[0]!.message, /^YAML: .*quote a value that starts with `\$\{`/);
  assert.ok(r.issues.length <= 3, r.issues.map((i) => i.message).join('\n'));
  assert.ok(r.issues.some((i) => /more syntax error\(s\) after this one come from it/.test(i.message)));
});
