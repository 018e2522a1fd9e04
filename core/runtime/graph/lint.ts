/**
 * `sluice lint`: every problem of every file at once. A file with profiles is compiled
 * under each of them, so a broken block in any profile is found; repeats are dropped.
 * The exit code is 1 when any error remains (warnings alone exit 0).
 *
 * Load the packages every file names first (`readPipelinePackages`) and pass a lookup
 * that includes them. `${VAR}`s are resolved from `env`: in CI, give the variables the
 * shipped pipelines need or defaults in the files (`${VAR:-default}`).
 */
import { dedupeIssues, sortIssues } from '../spec/issues.ts';
import type { Env } from '../spec/interpolate.ts';
import { compilePipeline } from './compile.ts';
import type { LocatedIssue, PluginLookup } from './types.ts';

export interface LintResult {
  readonly issues: LocatedIssue[];
  /** 1 when any issue is an error, else 0. */
  readonly exitCode: 0 | 1;
}

export function lintFile(file: string, env: Env, plugins: PluginLookup, text?: string): LocatedIssue[] {
  const first = compilePipeline({ file, env, plugins, ...(text !== undefined ? { text } : {}) });
  const issues = [...first.issues];
  for (const profile of first.profiles.slice(1)) {
    issues.push(...compilePipeline({ file, env, plugins, profile, ...(text !== undefined ? { text } : {}) }).issues);
  }
  return sortIssues(dedupeIssues(issues));
}

export function lintFiles(files: readonly string[], env: Env, plugins: PluginLookup): LintResult {
  const issues = files.flatMap((file) => lintFile(file, env, plugins));
  return { issues, exitCode: issues.some((i) => i.severity === 'error') ? 1 : 0 };
}
