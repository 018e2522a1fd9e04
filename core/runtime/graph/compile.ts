/**
 * `compilePipeline`: a pipeline file → a validated, planned `CompiledPipeline`, or every
 * problem found in it.
 *
 * Two-phase use, because a pipeline names the npm packages it needs under `plugins:`:
 *   1. `readPipelinePackages(file, text)` (or `compilePipeline(...).packages`, filled even
 *      when the file has other errors) lists them, each with its line, so the loader can
 *      import them and report a missing package where it is named;
 *   2. `compilePipeline` again with a lookup that includes them.
 *
 * Profiles: with `profile` unset, a pipeline that declares profiles compiles under the
 * first one declared; naming a profile the file does not declare is an `E_PROFILE` error.
 */
import { readFileSync } from 'node:fs';
import { sortIssues } from '../spec/issues.ts';
import { packagesOf, profileNames, readPipeline } from '../spec/pipeline.ts';
import type { PackageRef } from '../spec/pipeline.ts';
import type { Env } from '../spec/interpolate.ts';
import { parsePipelineFile } from '../spec/yaml.ts';
import { buildDag } from './dag.ts';
import { Planner } from './planner.ts';
import { checkExactlyOnce } from './exactly-once-check.ts';
import type { CompiledPipeline, LocatedIssue, PluginLookup } from './types.ts';

export interface CompileInput {
  /** Path of the file, as it should appear in messages. */
  readonly file: string;
  /** The file's text; read from `file` when absent. */
  readonly text?: string;
  /** Values for `${VAR}` (usually `process.env`). */
  readonly env: Env;
  readonly profile?: string;
  readonly plugins: PluginLookup;
}

export interface CompileResult {
  /** Present when there is no error (warnings may remain in `issues`). */
  readonly pipeline?: CompiledPipeline;
  /** Every problem, in file order. */
  readonly issues: LocatedIssue[];
  /** npm packages named under `plugins:` (top level and the profile). */
  readonly packages: string[];
  /** The same, located. */
  readonly packageRefs: readonly PackageRef[];
  /** The profile compiled, and all the file declares. */
  readonly profile: string | undefined;
  readonly profiles: readonly string[];
}

function readText(file: string, text: string | undefined): { text: string } | { issue: LocatedIssue } {
  if (text !== undefined) return { text };
  try {
    return { text: readFileSync(file, 'utf8') };
  } catch (error) {
    const message = `cannot read the pipeline file: ${error instanceof Error ? error.message : String(error)}`;
    return { issue: { code: 'E_USAGE', file, line: 1, col: 1, configPath: '', path: [], message, severity: 'error' } };
  }
}

/**
 * Every npm package a pipeline file names under `plugins:`, at the top level and in every
 * profile, located; tolerant of every other error. Load them all before compiling or
 * linting (a package only one profile needs is harmless under the others).
 */
export function readPipelinePackages(file: string, text?: string, env: Env = {}): PackageRef[] {
  const read = readText(file, text);
  if (!('text' in read)) return [];
  const parsed = parsePipelineFile(file, read.text, env);
  const seen = new Set<string>();
  return [undefined, ...profileNames(parsed.value)]
    .flatMap((profile) => packagesOf(parsed.value, profile, parsed.locator))
    .filter((p) => !seen.has(p.name) && (seen.add(p.name), true));
}

/** Whether a `${VAR}` at `path` is used under the selected blocks (an unused profile's are not). */
function usedBy(path: readonly (string | number)[], blockPaths: readonly (readonly (string | number)[])[]): boolean {
  const sections = new Set(['sources', 'operators', 'sinks', 'late', 'dead_letter', 'profiles']);
  if (!sections.has(String(path[0]))) return true;
  if (path[0] === 'profiles' && path[2] === 'plugins') return true;
  return blockPaths.some((b) => b.every((seg, i) => path[i] === seg));
}

export function compilePipeline(input: CompileInput): CompileResult {
  const read = readText(input.file, input.text);
  const empty = { packages: [], packageRefs: [], profile: undefined, profiles: [] };
  if (!('text' in read)) return { issues: [read.issue], ...empty };
  const parsed = parsePipelineFile(input.file, read.text, input.env);
  const profiles = profileNames(parsed.value);
  if (!parsed.ok) {
    const refs = packagesOf(parsed.value, profiles[0], parsed.locator);
    return { issues: sortIssues(parsed.issues), ...empty, packages: refs.map((p) => p.name), packageRefs: refs, profiles };
  }
  const issues: LocatedIssue[] = [...parsed.issues];
  const read2 = readPipeline(parsed, { plugins: input.plugins, ...(input.profile !== undefined ? { profile: input.profile } : {}) });
  issues.push(...read2.issues);
  const def = read2.definition;
  const result = { packages: read2.packages.map((p) => p.name), packageRefs: read2.packages, profile: def?.profile, profiles };
  if (!def) return { issues: sortIssues([...issues, ...parsed.unsetEnv]), ...result };
  const blockPaths = [...def.sources, ...def.operators, ...def.sinks, ...(def.late ? [def.late] : []), ...(def.deadLetter ? [def.deadLetter] : [])].map((b) => b.path);
  issues.push(...parsed.unsetEnv.filter((i) => usedBy(i.path, blockPaths)));
  const dag = buildDag(def.sources, def.operators, def.sinks, parsed.locator, issues);
  const planned = new Planner(parsed.locator, issues, input.plugins).plan(def, dag);
  checkExactlyOnce({ name: def.name, ...planned }, issues);
  const sorted = sortIssues(issues);
  if (sorted.some((i) => i.severity === 'error')) return { issues: sorted, ...result };
  const pipeline: CompiledPipeline = {
    name: def.name,
    file: input.file,
    profile: def.profile,
    packages: result.packages,
    ...planned,
  };
  return { pipeline, issues: sorted, ...result };
}
