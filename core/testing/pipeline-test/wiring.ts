/**
 * Ties a test file's names to the compiled pipeline: inputs name sources (or
 * `<source>.<output>` for a source with named outputs), expectations name sinks, `late` or
 * `dead_letter`. Unknown names are located issues with a "did you mean".
 */
import type { CompiledPipeline, LocatedIssue } from '../../runtime/graph/index.ts';
import type { PipelineInput, PipelineInputRecord, PipelineInputWatermark } from '../../runtime/engine/in-process.ts';
import { didYouMean, issueAt } from '../../runtime/spec/index.ts';
import type { PipelineTestCase, PipelineTestFile } from './test-file.ts';

/** Every name an input may use: `source` for a main output, `source.output` for a named one. */
function inputNames(pipeline: CompiledPipeline): Map<string, { source: string; output?: string }> {
  const names = new Map<string, { source: string; output?: string }>();
  for (const s of pipeline.sources) {
    for (const output of s.outputs) names.set(output === '' ? s.id : `${s.id}.${output}`, output === '' ? { source: s.id } : { source: s.id, output });
  }
  return names;
}

/** Problems with the names a test file uses, located at the names. */
export function checkNames(pipeline: CompiledPipeline, test: PipelineTestFile): LocatedIssue[] {
  const inputs = inputNames(pipeline);
  const outputs = [...pipeline.sinks.map((s) => s.id), 'late', 'dead_letter'];
  const issues: LocatedIssue[] = [];
  for (const c of test.cases) {
    for (const name of Object.keys(c.inputs)) {
      if (inputs.has(name)) continue;
      issues.push(
        issueAt(test.locator, 'E_UNKNOWN_INPUT', [...c.path, 'inputs', name], `the pipeline has no source (or named output) "${name}"${didYouMean(name, inputs.keys())}`, {
          atKey: true,
          hint: `inputs: ${[...inputs.keys()].join(', ')}`,
        }),
      );
    }
    for (const name of Object.keys(c.expected)) {
      if (outputs.includes(name)) continue;
      issues.push(
        issueAt(test.locator, 'E_UNKNOWN_KEY', [...c.path, 'expected', name], `the pipeline has no sink "${name}"${didYouMean(name, outputs)}`, {
          atKey: true,
          hint: `outputs: ${outputs.join(', ')}`,
        }),
      );
    }
  }
  return issues;
}

/** The case's items per source id, as `runPipelineInProcess` takes them; every source gets a list. */
export function sourceInputs(pipeline: CompiledPipeline, c: PipelineTestCase): Record<string, PipelineInput> {
  const names = inputNames(pipeline);
  const out: Record<string, (PipelineInputRecord | PipelineInputWatermark)[]> = Object.fromEntries(pipeline.sources.map((s) => [s.id, []]));
  for (const [name, items] of Object.entries(c.inputs)) {
    const { source, output } = names.get(name)!;
    const at = output === undefined ? {} : { output };
    for (const item of items) {
      const partition = item.partition === undefined ? {} : { partition: item.partition };
      out[source]!.push('watermark' in item ? { watermark: item.watermark, ...partition, ...at } : { value: item.record, ...partition, ...at });
    }
  }
  return out;
}
