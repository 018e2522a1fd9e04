/**
 * `sluice lint <files…>`: every problem of every file at once, one per line as
 * `file:line:col  <config path>  <message> [CODE]` (the field's doc and allowed values
 * indented on the next line), warnings included. A `*.test.yaml` file is checked as a
 * pipeline test (its structure, its pipeline, the names it uses), so `lint pipelines/*.yaml`
 * covers both. Exit 1 on any error, 2 when a file cannot be read, else 0.
 */
import { resolve } from 'node:path';
import { formatIssue, lintFiles } from '../../runtime/graph/index.ts';
import type { LocatedIssue } from '../../runtime/graph/index.ts';
import { registryForPipelines, shownPath } from '../../runtime/plugins/index.ts';
import { sortIssues } from '../../runtime/spec/issues.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { writeLines } from '../io.ts';
import { exitFor } from '../pipeline.ts';
import { explainUnknownPlugins } from '../unknown-plugin.ts';

/** A pipeline test file (`*.test.yaml`): checked as one, against its pipeline. */
export const isPipelineTestFile = (file: string): boolean => /\.test\.ya?ml$/.test(file);

async function lintTestFile(file: string, io: CliIo): Promise<LocatedIssue[]> {
  // Imported here: linting pipelines alone does not load the test kit.
  const { checkPipelineTest } = await import('../../testing/pipeline-test/check.ts');
  try {
    return [...(await checkPipelineTest(file, { cwd: io.cwd })).issues];
  } catch (error) {
    // The test file cannot be read: a usage problem, located at the file like lint's own.
    const message = error instanceof Error ? error.message : String(error);
    return [{ code: 'E_USAGE', file: shownPath(io.cwd, resolve(io.cwd, file)), line: 1, col: 1, configPath: '', path: [], message, severity: 'error' }];
  }
}

export async function lint(files: readonly string[], io: CliIo): Promise<ExitCode> {
  const shown = files.filter((f) => !isPipelineTestFile(f)).map((f) => shownPath(io.cwd, resolve(io.cwd, f)));
  const { registry, issues: packageIssues } = await registryForPipelines(shown, { cwd: io.cwd, env: io.env });
  const { issues } = lintFiles(shown, io.env, registry);
  const testIssues: LocatedIssue[] = [];
  for (const file of files.filter(isPipelineTestFile)) testIssues.push(...(await lintTestFile(file, io)));
  const all = sortIssues(await explainUnknownPlugins([...packageIssues, ...issues, ...testIssues], shown, io.cwd));
  writeLines(io.out, all.map(formatIssue));
  const errors = all.filter((i) => i.severity === 'error').length;
  const warnings = all.length - errors;
  io.err(`${files.length} file${files.length === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
  return exitFor(all);
}
