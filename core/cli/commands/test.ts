/**
 * `sluice test <files…>`: declarative pipeline tests (docs/pipeline-tests.md), run in
 * process by `runPipelineTest` of the test kit (core/testing): each test feeds records and
 * watermarks to the sources and compares what reaches the sinks, the late and the
 * dead-letter outputs with what the file expects.
 *
 * Prints `ok`/`FAIL` per case with the differences indented below, then `N passed, M
 * failed`. Exit: 0 all passed; 1 a case failed or a test file (or its pipeline) is invalid,
 * printed like lint's problems; 2 a file cannot be read; 3 a job failed while running.
 */
import { SluiceError } from '../../api/index.ts';
import { formatIssue } from '../../runtime/graph/index.ts';
import { sortIssues } from '../../runtime/spec/issues.ts';
import type * as TestKit from '../../testing/index.ts';
import type { PipelineTestResult } from '../../testing/index.ts';
import { EXIT } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { writeLines } from '../io.ts';

const indent = (text: string, by: string): string => by + text.replace(/\n/g, `\n${by}`);

function describe(error: unknown): string {
  if (error instanceof SluiceError) return `error [${error.code}]: ${error.message}`;
  return `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

/** The worse of two exit codes: runtime failure over usage over problems. */
function worse(a: ExitCode, b: ExitCode): ExitCode {
  const rank = (c: ExitCode) => [EXIT.OK, EXIT.PROBLEMS, EXIT.USAGE, EXIT.RUNTIME].indexOf(c);
  return rank(b) > rank(a) ? b : a;
}

/** The test kit (and the engine under it), imported when tests run: `lint` and `graph` start without it. */
async function testKit(): Promise<typeof TestKit> {
  return import('../../testing/index.ts');
}

export async function testPipelines(files: readonly string[], io: CliIo): Promise<ExitCode> {
  const { PipelineTestFileError, runPipelineTest } = await testKit();
  let passed = 0;
  let failed = 0;
  let exit: ExitCode = EXIT.OK;
  for (const file of files) {
    let result: PipelineTestResult;
    try {
      // The process environment is not handed over: a test names the `${VAR}`s it needs.
      result = await runPipelineTest(file, { cwd: io.cwd });
    } catch (error) {
      if (error instanceof PipelineTestFileError) {
        writeLines(io.out, [`FAIL  ${file}  (the test file or its pipeline is invalid)`, ...sortIssues(error.issues).map((i) => indent(formatIssue(i), '      '))]);
        exit = worse(exit, EXIT.PROBLEMS);
      } else {
        const usage = error instanceof SluiceError && error.code === 'E_USAGE';
        // A usage error names its file already.
        io.err(`${usage ? '' : `${file}: `}${describe(error)}\n`);
        exit = worse(exit, usage ? EXIT.USAGE : EXIT.RUNTIME);
      }
      failed++;
      continue;
    }
    for (const c of result.cases) {
      if (c.passed) passed++;
      else failed++;
      if (c.error) exit = worse(exit, EXIT.RUNTIME);
      io.out(`${c.passed ? 'ok  ' : 'FAIL'}  ${result.file}  ${c.name}\n`);
      writeLines(io.out, c.failures.map((f) => indent(f, '      ')));
    }
  }
  io.out(`${passed} passed, ${failed} failed\n`);
  return worse(exit, failed > 0 ? EXIT.PROBLEMS : EXIT.OK);
}
