/**
 * The graph: a pipeline file compiled into a validated DAG (`compilePipeline`), rendered
 * (`toMermaid`), linted (`lintFiles`, `formatIssue`).
 */
export { compilePipeline, readPipelinePackages } from './compile.ts';
export type { CompileInput, CompileResult } from './compile.ts';
export { lintFile, lintFiles } from './lint.ts';
export type { LintResult } from './lint.ts';
export { formatIssue } from './format.ts';
export { toMermaid } from './mermaid.ts';
export type * from './types.ts';
export type { PackageRef } from '../spec/pipeline.ts';
