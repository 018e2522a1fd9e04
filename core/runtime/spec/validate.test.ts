import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field } from '../../api/index.ts';
import type { FieldSpec } from '../../api/index.ts';
import { parsePipelineFile } from './yaml.ts';
import { validateConfig } from './validate.ts';
import type { ExprFields } from './validate.ts';

/** Validates the value under `cfg:` of a YAML text; issues as `line:col path code message`. */
function run(spec: FieldSpec, yaml: string, fields?: ExprFields) {
  const parsed = parsePipelineFile('c.yaml', yaml, {});
  assert.equal(parsed.ok, true, JSON.stringify(parsed.issues));
  const r = validateConfig(spec, (parsed.value as { cfg: unknown }).cfg, { locator: parsed.locator, path: ['cfg'] }, fields);
  return { value: r.value, issues: r.issues.map((i) => `${i.line}:${i.col} ${i.configPath} ${i.code} ${i.message}`), raw: r.issues };
}

const spec = field.object({
  path: field.string({ doc: 'File to read.', example: 'data/in.jsonl' }),
  poll: field.duration({ doc: 'Poll interval.', default: '1s', min: 1 }),
  max_bytes: field.integer({ doc: 'Byte cap.', optional: true, min: 1 }),
  ratio: field.number({ doc: 'A ratio.', optional: true, max: 1 }),
  follow: field.boolean({ doc: 'Tail the file.', default: false }),
  mode: field.enum(['append', 'truncate'], { doc: 'Write mode.', default: 'append' }),
  tags: field.array(field.string({ doc: 'A tag.' }), { doc: 'Tags.', optional: true, minItems: 1 }),
  labels: field.map(field.string({ doc: 'Label value.' }), { doc: 'Labels.', optional: true, keyPattern: '^[a-z]+$' }),
  where: field.expr({ doc: 'Predicate.', returns: 'bool', optional: true }),
  extra: field.any({ doc: 'Anything.', optional: true }),
});

void test('a valid config is parsed: defaults applied, durations in ms', () => {
  const r = run(spec, 'cfg:\n  path: in.jsonl\n  max_bytes: 10\n  tags: [a]\n  extra: { x: [1] }\n');
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.value, { path: 'in.jsonl', poll: 1000, max_bytes: 10, follow: false, mode: 'append', tags: ['a'], extra: { x: [1] } });
});

void test('every problem at once, each at its line and column', () => {
  const yaml = [
    'cfg:',
    '  poll: 5',
    '  max_bytes: 1.5',
    '  ratio: 2',
    '  follow: "yes"',
    '  mode: apend',
    '  tags: []',
    '  labels: { Bad: 1 }',
    '  pth: x',
    '',
  ].join('\n');
  const r = run(spec, yaml);
  assert.deepEqual(r.issues, [
    '9:3 cfg.pth E_UNKNOWN_KEY unknown key "pth" (did you mean "path"?)',
    '1:1 cfg E_MISSING_FIELD missing required key "path"',
    '2:9 cfg.poll E_CONFIG_INVALID a duration needs a unit: write 5ms, 5s or 5m',
    '3:14 cfg.max_bytes E_CONFIG_INVALID expected an integer, got the number 1.5',
    '4:10 cfg.ratio E_CONFIG_INVALID must be at most 1, got 2',
    '5:11 cfg.follow E_CONFIG_INVALID expected true or false, got the string "yes"',
    '6:9 cfg.mode E_CONFIG_INVALID expected one of append, truncate, got the string "apend" (did you mean "append"?)',
    '7:9 cfg.tags E_CONFIG_INVALID needs at least 1 item, got 0',
    '8:13 cfg.labels.Bad E_CONFIG_INVALID key "Bad" must match /^[a-z]+$/',
    '8:18 cfg.labels.Bad E_CONFIG_INVALID expected a string, got the number 1',
  ]);
  const missing = r.raw.find((i) => i.code === 'E_MISSING_FIELD')!;
  assert.equal(missing.hint, 'File to read. Example: "data/in.jsonl".');
  const mode = r.raw.find((i) => i.configPath === 'cfg.mode')!;
  assert.equal(mode.hint, 'Write mode. Allowed: append, truncate.');
});

void test('null counts as absent for optional and defaulted fields, not for required ones', () => {
  const r = run(spec, 'cfg:\n  path:\n  max_bytes:\n  poll:\n');
  assert.deepEqual(r.issues, ['2:3 cfg.path E_CONFIG_INVALID expected a string, got nothing (null)']);
});

void test('durations: units, negatives, minimum', () => {
  const s = field.object({ lower: field.duration({ doc: 'Lower bound.' }), gap: field.duration({ doc: 'Gap.', min: 1, optional: true }) });
  assert.deepEqual(run(s, 'cfg: { lower: -1h, gap: 1h30m }').value, { lower: -3_600_000, gap: 5_400_000 });
  assert.deepEqual(run(s, 'cfg: { lower: 0 }').value, { lower: 0 });
  assert.deepEqual(run(s, 'cfg: { lower: 3 days, gap: 0s }').issues, [
    '1:15 cfg.lower E_CONFIG_INVALID expected a duration such as 30s, 5m or 3d, got the string "3 days"',
    '1:28 cfg.gap E_CONFIG_INVALID must be at least 1 ms, got 0 ms',
  ]);
});

void test('unions: the first alternative that validates wins; else the alternative the keys select reports', () => {
  const window = field.object({
    window: field.union(
      [
        field.object({ tumbling: field.duration({ doc: 'Size.' }) }),
        field.object({ sliding: field.duration({ doc: 'Size.' }), slide: field.duration({ doc: 'Slide.' }) }),
      ],
      { doc: 'The window.' },
    ),
    key: field.union([field.string({ doc: 'One field.' }), field.array(field.string({ doc: 'A field.' }), { doc: 'Fields.' })], { doc: 'Key.' }),
  });
  assert.deepEqual(run(window, 'cfg: { window: { sliding: 1m, slide: 10s }, key: [a, b] }').value, { window: { sliding: 60_000, slide: 10_000 }, key: ['a', 'b'] });
  assert.deepEqual(run(window, 'cfg:\n  window: { slidng: 1m, slide: 10s }\n  key: 3\n').issues, [
    '2:13 cfg.window.slidng E_UNKNOWN_KEY unknown key "slidng" (did you mean "sliding"?)',
    '2:3 cfg.window E_MISSING_FIELD missing required key "sliding"',
    '3:8 cfg.key E_CONFIG_INVALID expected one of a string, a list, got the number 3',
  ]);
});

void test('expr fields: parsed and type-checked against the known fields', () => {
  const s = field.object({
    where: field.expr({ doc: 'Predicate.', returns: 'bool' }),
    project: field.map(field.expr({ doc: 'Output field.', scope: 'join' }), { doc: 'Projection.', optional: true }),
  });
  const fields: ExprFields = { record: { amount: 'double', user_id: 'string' }, join: { left: { amount: 'double' } } };
  assert.deepEqual(run(s, 'cfg: { where: "amount > 100" }', fields).issues, []);
  assert.deepEqual(run(s, 'cfg:\n  where: "amont > 100"\n  project: { a: left.amout, b: right.anything, c: "left.amount +" }\n', fields).issues, [
    '2:10 cfg.where E_EXPR CEL: unknown field or variable "amont" (did you mean "amount"?)',
    '3:17 cfg.project.a E_EXPR CEL: No such key: amout (column 6) (did you mean "amount"?)',
    '3:51 cfg.project.c E_EXPR CEL: Unexpected token: EOF (column 14)',
  ]);
  assert.deepEqual(run(s, 'cfg: { where: "user_id" }', fields).issues, ['1:15 cfg.where E_EXPR CEL: a predicate must return bool, but this returns string']);
  // unknown fields: anything goes but syntax
  assert.deepEqual(run(s, 'cfg: { where: "whatever > 1" }').issues, []);
});

void test('secrets are not echoed in messages', () => {
  const s = field.object({ password: field.enum(['a'], { doc: 'Secret.', secret: true }), token: field.number({ doc: 'Token.', secret: true }) });
  const r = run(s, 'cfg: { password: hunter2, token: s3cr3t }');
  assert.ok(r.issues.every((i) => !i.includes('s3cr3t')), r.issues.join('\n'));
});

void test('a left-out settings group whose keys are all optional is {}', () => {
  const s = field.object({
    retry: field.object({ max: field.integer({ doc: 'Attempts.', default: 3 }), backoff: field.duration({ doc: 'Wait.', optional: true }) }),
    auth: field.object({ user: field.string({ doc: 'User.' }) }),
  });
  assert.deepEqual(run(s, 'cfg: { auth: { user: u } }'), { value: { retry: { max: 3 }, auth: { user: 'u' } }, issues: [], raw: [] });
  assert.deepEqual(run(s, 'cfg: {}').issues, ['1:1 cfg E_MISSING_FIELD missing required key "auth"']);
});
