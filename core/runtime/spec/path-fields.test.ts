// `path: true` string fields: relative text written in the pipeline resolves against the
// pipeline file's folder; text starting with a ${VAR} stays as the environment gives it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { field } from '../../api/index.ts';
import { parsePipelineFile } from './yaml.ts';
import { validateConfig } from './validate.ts';

const spec = field.object({ file: field.string({ doc: 'A file.', path: true }), name: field.string({ doc: 'Not a path.', optional: true }) });

function parsed(file: string, yaml: string, env: Record<string, string> = {}): unknown {
  const p = parsePipelineFile(file, yaml, env);
  assert.equal(p.ok, true, JSON.stringify(p.issues));
  const r = validateConfig(spec, (p.value as { cfg: unknown }).cfg, { locator: p.locator, path: ['cfg'] });
  assert.deepEqual(r.issues, []);
  return r.value;
}

void test('a relative path written in the file resolves against its folder; other strings are left alone', () => {
  assert.deepEqual(parsed('/srv/pipes/p.yaml', 'cfg: { file: data/in.jsonl, name: data/x }'), { file: '/srv/pipes/data/in.jsonl', name: 'data/x' });
  assert.deepEqual(parsed('pipes/p.yaml', 'cfg: { file: ../in.jsonl }'), { file: resolve('in.jsonl') });
  assert.deepEqual(parsed('/srv/pipes/p.yaml', 'cfg: { file: /abs/in.jsonl }'), { file: '/abs/in.jsonl' });
  assert.deepEqual(parsed('/srv/pipes/p.yaml', 'cfg: { file: "out/${NAME}.jsonl" }', { NAME: 'x' }), { file: '/srv/pipes/out/x.jsonl' });
});

void test('a path that starts with a ${VAR} is the environment\'s (or its default), relative to the working directory', () => {
  assert.deepEqual(parsed('/srv/pipes/p.yaml', 'cfg: { file: "${DIR:-runs}/a.jsonl" }'), { file: 'runs/a.jsonl' });
  assert.deepEqual(parsed('/srv/pipes/p.yaml', 'cfg: { file: "${DIR}/a.jsonl" }', { DIR: 'mine' }), { file: 'mine/a.jsonl' });
  assert.deepEqual(parsed('/srv/pipes/p.yaml', 'cfg: { file: "$${x}/a" }'), { file: '/srv/pipes/${x}/a' });
});
