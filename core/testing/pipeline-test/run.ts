/**
 * `runPipelineTest(file, {cwd, env})`: runs a declarative pipeline test file
 * (docs/pipeline-tests.md) in process. The file is checked (check.ts) and the pipeline
 * compiled once; then every case runs it on fresh state through `runPipelineInProcess`, with
 * every source replaced by the case's items (a source left out yields nothing) and every
 * sink, the late and the dead-letter outputs collected and compared.
 *
 * Throws `PipelineTestFileError` (its `issues` located like lint's) when the test file or
 * the pipeline is invalid, and a `SluiceError` `E_USAGE` when the test file cannot be read. A job
 * that fails while a case runs fails that case, with `error` set.
 */
import { SluiceError } from '../../api/index.ts';
import type { Row } from '../../api/index.ts';
import { runPipelineInProcess } from '../../runtime/engine/in-process.ts';
import type { CollectedRecord, PipelineInput } from '../../runtime/engine/in-process.ts';
import type { CompiledPipeline } from '../../runtime/graph/index.ts';
import { materialize } from '../changelog.ts';
import { checkPipelineTest, PipelineTestFileError } from './check.ts';
import type { PipelineTestOptions } from './check.ts';
import { compareOutput } from './compare.ts';
import type { PipelineTestCase } from './test-file.ts';
import { sourceInputs } from './wiring.ts';

export { PipelineTestFileError } from './check.ts';
export type { PipelineTestOptions } from './check.ts';

export interface PipelineTestCaseResult {
  readonly name: string;
  readonly passed: boolean;
  /** One entry per output that differs (a summary line, then one line per row), or the job's error. */
  readonly failures: readonly string[];
  /** Set when the job itself failed (a runtime failure, not a wrong expectation). */
  readonly error?: Error;
}

export interface PipelineTestResult {
  /** The test file, as given. */
  readonly file: string;
  readonly cases: readonly PipelineTestCaseResult[];
}

const values = (records: readonly CollectedRecord[]): Row[] => records.map((r) => r.value);

async function runCase(pipeline: CompiledPipeline, c: PipelineTestCase): Promise<PipelineTestCaseResult> {
  const inputs: Record<string, PipelineInput> = sourceInputs(pipeline, c);
  let outputs;
  try {
    outputs = await runPipelineInProcess(pipeline, inputs);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const code = e instanceof SluiceError ? ` [${e.code}]` : '';
    return { name: c.name, passed: false, failures: [`the job failed: ${e.message}${code}`], error: e };
  }
  const failures: string[] = [];
  for (const [output, expected] of Object.entries(c.expected)) {
    let actual: Row[];
    if (output === 'late') actual = values(outputs.late);
    else if (output === 'dead_letter') actual = values(outputs.deadLetter);
    else {
      // What the sink would hold at the end: an upsert stream applied by its key.
      const sink = pipeline.sinks.find((s) => s.id === output)!;
      actual = [...materialize(outputs.sinks[output] ?? [], sink.changelog).values()];
    }
    const how = output === 'late' || output === 'dead_letter' ? 'subset' : 'exact';
    const lines = compareOutput(output, expected, actual, { how, ordered: c.ordered });
    if (lines.length > 0) failures.push(lines.join('\n'));
  }
  return { name: c.name, passed: failures.length === 0, failures };
}

export async function runPipelineTest(file: string, options: PipelineTestOptions = {}): Promise<PipelineTestResult> {
  const checked = await checkPipelineTest(file, options);
  if (!checked.pipeline || !checked.test || checked.issues.some((i) => i.severity === 'error')) throw new PipelineTestFileError(checked.issues);
  const cases: PipelineTestCaseResult[] = [];
  for (const c of checked.test.cases) cases.push(await runCase(checked.pipeline, c));
  return { file, cases };
}
