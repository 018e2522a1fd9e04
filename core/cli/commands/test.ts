/**
 * `sluice test <files…>`: declarative pipeline tests (docs/pipeline-tests.md), run in
 * process by `runPipelineTest` of the test kit (core/testing): each test feeds records and
 * watermarks to the sources and compares what reaches the sinks, the late and the
 * dead-letter outputs with what the file expects.
 */
import type { Command } from 'commander';
import { SluiceError } from '../../api/index.ts';
import { EXIT } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { writeLines } from '../io.ts';
import { describeError } from './run.ts';

/** One test case's outcome, as the runner reports it. */
interface CaseResult {
  readonly name: string;
  readonly passed: boolean;
  /** Why it failed: one line per difference, problems located in the test file. */
  readonly failures: readonly string[];
}

interface FileResult {
  readonly file: string;
  readonly cases: readonly CaseResult[];
}

type RunPipelineTest = (file: string, options: { cwd: string; env: Readonly<Record<string, string | undefined>> }) => Promise<FileResult>;

/**
 * The runner lives in the test kit; the specifier is computed so this file type-checks
 * before `runPipelineTest` exists, and `RunPipelineTest` states the call made.
 */
async function runner(): Promise<RunPipelineTest> {
  const module = (await import(new URL('../../testing/index.ts', import.meta.url).href)) as { runPipelineTest?: RunPipelineTest };
  if (typeof module.runPipelineTest !== 'function') {
    throw new SluiceError('E_USAGE', 'this build of sluice has no pipeline test runner (core/testing exports no runPipelineTest)');
  }
  return module.runPipelineTest;
}

export async function testPipelines(files: readonly string[], io: CliIo): Promise<ExitCode> {
  let runPipelineTest: RunPipelineTest;
  try {
    runPipelineTest = await runner();
  } catch (error) {
    io.err(`${describeError(error)}\n`);
    return EXIT.RUNTIME;
  }
  let passed = 0;
  let failed = 0;
  let exit: ExitCode = EXIT.OK;
  for (const file of files) {
    let result: FileResult;
    try {
      result = await runPipelineTest(file, { cwd: io.cwd, env: io.env });
    } catch (error) {
      // A test file that is wrong (bad YAML, an unknown source) is a problem found, like lint's.
      io.err(`${file}: ${describeError(error)}\n`);
      failed++;
      exit = error instanceof SluiceError && error.code !== 'E_USAGE' && error.code !== 'E_PLUGIN_FAILED' ? EXIT.PROBLEMS : EXIT.RUNTIME;
      continue;
    }
    for (const c of result.cases) {
      if (c.passed) passed++;
      else failed++;
      io.out(`${c.passed ? 'ok  ' : 'FAIL'}  ${result.file}  ${c.name}\n`);
      writeLines(io.out, c.failures.map((f) => `      ${f}`));
    }
  }
  io.out(`${passed} passed, ${failed} failed\n`);
  if (exit !== EXIT.OK) return exit;
  return failed > 0 ? EXIT.PROBLEMS : EXIT.OK;
}

export function registerTest(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('test')
    .description('Run declarative pipeline tests (pipelines/<name>.test.yaml): inputs per source, expected records per output.')
    .argument('<files...>', 'test files')
    .addHelpText('after', '\nFormat: docs/pipeline-tests.md.\nExit: 0 all passed, 1 a test failed or a test file is invalid, 3 the runtime failed.')
    .action(async (files: string[]) => done(await testPipelines(files, io)));
}
