// docs/errors.md documents every code of ERROR_CODES, in order, and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../../core/api/index.ts';
import { REPO } from './sluice.ts';

const doc = readFileSync(join(REPO, 'docs/errors.md'), 'utf8');
const documented = [...doc.matchAll(/^### (E_[A-Z_]+)\s*$/gm)].map((m) => m[1]!);

void test('every error code has a section in docs/errors.md, in the order of ERROR_CODES', () => {
  assert.deepEqual(documented, Object.keys(ERROR_CODES));
});

void test('every section says what the code means', () => {
  for (const code of documented) {
    const body = doc.split(`### ${code}`)[1]!.split(/^#{2,3} /m)[0]!.trim();
    assert.ok(body.length > 40, `${code} needs an explanation`);
  }
});
