/**
 * Checks a pipeline test file without running it: the file's structure, its pipeline
 * (compiled with the file's `env:` and `profile:`, plugin packages loaded), and the names it
 * uses against that pipeline. `runPipelineTest` runs what this returns; `sluice lint` reports
 * its issues for `*.test.yaml` files. Imports no engine, so lint stays quick to start.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SluiceError } from '../../api/index.ts';
import { compilePipeline } from '../../runtime/graph/index.ts';
import type { CompiledPipeline, LocatedIssue } from '../../runtime/graph/index.ts';
import { registryForPipelines, shownPath } from '../../runtime/plugins/index.ts';
import { issueAt } from '../../runtime/spec/index.ts';
import type { Env } from '../../runtime/spec/index.ts';
import { readPipelineTestFile } from './test-file.ts';
import type { PipelineTestFile } from './test-file.ts';
import { checkNames } from './wiring.ts';

export interface PipelineTestOptions {
  /** Resolves `file`; `process.cwd()` by default. Paths in messages are relative to it. */
  readonly cwd?: string;
  /** Values for `${VAR}`s under the file's own `env:` (which wins); the process environment is never read. */
  readonly env?: Env;
}

export interface CheckedPipelineTest {
  /** Present when the test file could be read (it may still have issues). */
  readonly test?: PipelineTestFile;
  /** Present when the pipeline compiled. */
  readonly pipeline?: CompiledPipeline;
  /** Problems in the test file and in its pipeline, located in the file at fault. */
  readonly issues: readonly LocatedIssue[];
}

/** A test file or its pipeline is invalid; `issues` are located in the file at fault. */
export class PipelineTestFileError extends SluiceError {
  constructor(readonly issues: readonly LocatedIssue[]) {
    const first = issues.find((i) => i.severity === 'error') ?? issues[0];
    super(first?.code ?? 'E_CONFIG_INVALID', `invalid pipeline test: ${issues.filter((i) => i.severity === 'error').length} problem(s), first: ${first?.message ?? '?'}`);
    this.name = 'PipelineTestFileError';
  }
}

function readTestFile(shown: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new SluiceError('E_USAGE', `cannot read the test file ${shown} (${reason})`, { cause: error });
  }
}

async function compile(test: PipelineTestFile, testPath: string, cwd: string, baseEnv: Env): Promise<CompiledPipeline> {
  const absolute = resolve(dirname(testPath), test.pipeline);
  const shown = shownPath(cwd, absolute);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new PipelineTestFileError([issueAt(test.locator, 'E_CONFIG_INVALID', ['pipeline'], `cannot read the pipeline file ${shown} (${reason})`)]);
  }
  const env = { ...baseEnv, ...test.env };
  const { registry, issues: packageIssues } = await registryForPipelines([absolute], { cwd, env });
  const result = compilePipeline({ file: shown, text, env, plugins: registry, ...(test.profile !== undefined ? { profile: test.profile } : {}) });
  const errors = [...packageIssues, ...result.issues].filter((i) => i.severity === 'error');
  if (errors.length > 0 || !result.pipeline) throw new PipelineTestFileError(errors);
  return result.pipeline;
}

/**
 * Reads and checks a test file; throws `SluiceError` `E_USAGE` when the test file cannot be
 * read. Every other problem (a pipeline that cannot be read included) is in `issues`.
 */
export async function checkPipelineTest(file: string, options: PipelineTestOptions = {}): Promise<CheckedPipelineTest> {
  const cwd = options.cwd ?? process.cwd();
  const absolute = resolve(cwd, file);
  const shown = shownPath(cwd, absolute);
  const { test, issues } = readPipelineTestFile(shown, readTestFile(shown, absolute));
  if (!test) return { issues };
  try {
    const pipeline = await compile(test, absolute, cwd, options.env ?? {});
    return { test, pipeline, issues: [...issues, ...checkNames(pipeline, test)] };
  } catch (error) {
    if (error instanceof PipelineTestFileError) return { test, issues: [...issues, ...error.issues] };
    throw error;
  }
}
