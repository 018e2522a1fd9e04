/**
 * What `run`, `graph` and `test` share: load a pipeline's plugin packages, compile it, and
 * print every problem (warnings too) on stderr in lint's one-line format.
 */
import { resolve } from 'node:path';
import { compilePipeline, formatIssue } from '../runtime/graph/index.ts';
import type { CompiledPipeline, LocatedIssue } from '../runtime/graph/index.ts';
import { registryForPipelines, shownPath } from '../runtime/plugins/index.ts';
import type { PluginRegistry } from '../runtime/plugins/index.ts';
import { sortIssues } from '../runtime/spec/issues.ts';
import { EXIT } from './exit-codes.ts';
import type { ExitCode } from './exit-codes.ts';
import type { CliIo } from './io.ts';
import { writeLines } from './io.ts';
import { explainUnknownPlugins } from './unknown-plugin.ts';

export interface LoadedPipeline {
  readonly pipeline: CompiledPipeline | undefined;
  readonly registry: PluginRegistry;
  /** OK when compiled; else PROBLEMS, or USAGE when the file could not be read. */
  readonly exit: ExitCode;
}

/** The exit code for a set of issues: USAGE for an unreadable file, PROBLEMS for any error. */
export function exitFor(issues: readonly LocatedIssue[]): ExitCode {
  if (issues.some((i) => i.code === 'E_USAGE')) return EXIT.USAGE;
  return issues.some((i) => i.severity === 'error') ? EXIT.PROBLEMS : EXIT.OK;
}

export async function loadPipeline(file: string, profile: string | undefined, io: CliIo): Promise<LoadedPipeline> {
  const absolute = resolve(io.cwd, file);
  const { registry, issues: packageIssues } = await registryForPipelines([absolute], { cwd: io.cwd, env: io.env });
  const result = compilePipeline({
    file: shownPath(io.cwd, absolute),
    env: io.env,
    plugins: registry,
    ...(profile !== undefined ? { profile } : {}),
  });
  const issues = sortIssues(await explainUnknownPlugins([...packageIssues, ...result.issues], [absolute], io.cwd));
  writeLines(io.err, issues.map(formatIssue));
  const exit = exitFor(issues);
  return { pipeline: exit === EXIT.OK ? result.pipeline : undefined, registry, exit: exit === EXIT.OK && !result.pipeline ? EXIT.PROBLEMS : exit };
}
