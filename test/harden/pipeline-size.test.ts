/**
 * Issue 12: a 50 MB pipeline file took 108 s and 2.9 GB to lint. A file over
 * SLUICE_MAX_PIPELINE_BYTES (1 MiB) is now refused before it is parsed, with E_LIMIT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sluice } from '../cli/sluice.ts';

void test('a pipeline file over the size limit is refused unparsed, naming the limit and its setting', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sluice-big-pipeline-'));
  const filler = Array.from({ length: 40_000 }, (_, i) => `# comment line ${i} ${'x'.repeat(40)}`).join('\n');
  writeFileSync(join(cwd, 'p.yaml'), `name: big\n${filler}\nsources:\n  s: { generator: { count: 1, fields: { id: { id: e- } } } }\nsinks:\n  out: { input: s, stdout: {} }\n`);
  const r = await sluice(['lint', 'p.yaml'], { cwd });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^p\.yaml:1:1 .*over the limit of 1048576 bytes \(SLUICE_MAX_PIPELINE_BYTES\).*\[E_LIMIT\]$/m);
  const raised = await sluice(['lint', 'p.yaml'], { cwd, env: { SLUICE_MAX_PIPELINE_BYTES: String(8 * 1024 * 1024) } });
  assert.equal(raised.code, 0, raised.stdout + raised.stderr);
});
