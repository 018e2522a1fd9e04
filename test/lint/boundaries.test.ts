/**
 * The layers' import boundaries (scripts/lint-boundaries.mjs, turned on in eslint.config.mjs):
 * imports planted in fake files at real places in the tree are reported or not, and the tree
 * as it is crosses no boundary. Only the repository's boundaries block runs (no type
 * information needed), so this stays fast; `npm run lint` runs every rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import type { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { EXCEPTIONS } from '../../scripts/lint-boundaries.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The repository's config blocks that turn on `sluice/boundaries`, with a parser for TypeScript. */
async function boundariesLinter(): Promise<ESLint> {
  const { default: config } = (await import(join(ROOT, 'eslint.config.mjs'))) as { default: Linter.Config[] };
  const blocks = config.filter((block) => block.rules?.['sluice/boundaries'] !== undefined);
  assert.equal(blocks.length, 1, 'eslint.config.mjs turns on sluice/boundaries once');
  return new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      { ignores: ['**/node_modules/**', 'plugins/*/dist/**'] },
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser } },
      ...blocks,
    ],
  });
}

const linter = boundariesLinter();

/** The boundary messages for `code` linted as if it were the file `path` (relative to the root). */
async function planted(path: string, code: string): Promise<string[]> {
  const [result] = await (await linter).lintText(code, { filePath: join(ROOT, path) });
  assert.ok(result);
  assert.deepEqual(result.messages.filter((m) => m.ruleId !== 'sluice/boundaries'), [], 'no other problem (e.g. a parse error)');
  return result.messages.map((m) => m.message);
}

void test('a plugin importing the runtime, the CLI or another plugin is reported', async () => {
  const file = 'plugins/sink-null/planted.ts';
  const runtime = await planted(file, "import { getCodec } from '../../core/runtime/codec/index.ts';\nexport { getCodec };\n");
  assert.deepEqual(runtime, [
    'plugins/sink-null/planted.ts may not import core/runtime/codec/index.ts: a plugin imports only core/api, its own folder and lib/ (docs/architecture.md, "Layers")',
  ]);
  assert.equal((await planted(file, "export { main } from '../../core/cli/main.ts';\n")).length, 1);
  assert.equal((await planted(file, "export * from '../source-generator/index.ts';\n")).length, 1);
  assert.equal((await planted(file, "export const m = () => import('../../core/runtime/engine/index.ts');\n")).length, 1, 'a dynamic import too');
  assert.equal((await planted('plugins/experiment-analytics/dashboard/web/planted.ts', "import '../../../../core/runtime/codec/index.ts';\n")).length, 1, 'from a subfolder too');
});

void test('a plugin package (a folder with its own package.json) imports nothing outside its folder, tests included', async () => {
  const file = 'plugins/experiment-analytics/stats/planted.ts';
  assert.deepEqual(await planted(file, "import { definePlugin } from '../../../core/api/index.ts';\nexport { definePlugin };\n"), [
    'plugins/experiment-analytics/stats/planted.ts may not import core/api/index.ts: a plugin package imports nothing outside its folder but sluice/api and sluice/testing (docs/architecture.md, "Layers")',
  ]);
  assert.equal((await planted(file, "export * from '../../../lib/row-template/template.ts';\n")).length, 1, 'lib/ neither');
  assert.equal((await planted('plugins/experiment-analytics/stats/planted.test.ts', "export * from '../../operator-keyed-process/index.ts';\n")).length, 1, 'nor a test another plugin');
  assert.deepEqual(await planted(file, "import { definePlugin } from 'sluice/api';\nimport { EPOCH_MS } from '../model/index.ts';\nexport { definePlugin, EPOCH_MS };\n"), []);
});

void test('a plugin may import core/api, its own folder and lib/', async () => {
  const code = [
    "import { definePlugin } from '../../core/api/index.ts';",
    "import { nullSinkPlugin } from './index.ts';",
    "import { parseTemplate } from '../../lib/row-template/template.ts';",
    "import { readFileSync } from 'node:fs';",
    'export { definePlugin, nullSinkPlugin, parseTemplate, readFileSync };',
  ].join('\n');
  assert.deepEqual(await planted('plugins/sink-null/planted.ts', `${code}\n`), []);
});

void test('an exception covers its own file only', async () => {
  for (const [file, prefix] of EXCEPTIONS) {
    const target = relative(dirname(join(ROOT, file)), join(ROOT, prefix, 'planted.ts')).split(sep).join('/');
    const code = `export * from '${target.startsWith('.') ? target : `./${target}`}';\n`;
    assert.deepEqual(await planted(file, code), [], file);
    assert.equal((await planted(join(dirname(file), 'planted.ts'), code)).length, 1, `${file}'s sibling`);
  }
});

void test('no exception is left outside the experiment application (the runtime imports no plugin)', () => {
  const left = EXCEPTIONS.filter(([file, prefix]) => !`${file} ${prefix}`.includes('experiment'));
  assert.deepEqual(left, []);
});

void test('core/api imports nothing from the runtime, the CLI, plugins or lib/; the runtime imports no plugin', async () => {
  for (const target of ['../runtime/engine/index.ts', '../cli/main.ts', '../../plugins/sink-null/index.ts', '../../lib/row-template/template.ts']) {
    assert.equal((await planted('core/api/planted.ts', `export * from '${target}';\n`)).length, 1, target);
  }
  assert.deepEqual(await planted('core/api/planted.ts', "export * from './errors.ts';\n"), []);
  assert.equal((await planted('core/runtime/planted.ts', "export * from '../../plugins/sink-null/index.ts';\n")).length, 1);
  assert.deepEqual(await planted('core/runtime/planted.ts', "export * from '../api/index.ts';\n"), []);
});

void test('the repository as it is crosses no boundary', async () => {
  const results = await (await linter).lintFiles(['core', 'plugins', 'lib']);
  assert.ok(results.length > 100, `linted ${results.length} files`);
  const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line}: ${m.message}`));
  assert.deepEqual(problems, []);
});
