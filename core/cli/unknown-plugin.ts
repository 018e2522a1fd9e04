/**
 * "unknown plugin" made actionable: when a pipeline uses a plugin that no built-in and no
 * package under its `plugins:` defines, but a plugin package installed in the project does
 * (a dependency whose package.json declares `"sluice": {"role": "plugin"}`), the issue names
 * that package and says to list it under `plugins:`. Installed packages are imported only
 * when such an issue exists, so a clean lint loads nothing more.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { PluginKind } from '../api/index.ts';
import type { LocatedIssue } from '../runtime/graph/index.ts';
import { PluginRegistry, installedPluginPackages, loadPluginPackages } from '../runtime/plugins/index.ts';

const SECTION_KIND: Readonly<Record<string, PluginKind>> = { sources: 'source', operators: 'operator', sinks: 'sink' };

/**
 * The kind and name an E_UNKNOWN_PLUGIN issue is about: a block's plugin key (its path ends
 * `<section>.<id>.<name>`) or a plugin a config names (`keyed_process.function`, whose
 * message reads `unknown keyed_function plugin "<name>"`).
 */
function unknownPlugin(issue: LocatedIssue): { kind: string | undefined; name: string } {
  const named = /^unknown (keyed_function) plugin "([^"]+)"/.exec(issue.message);
  if (named) return { kind: named[1], name: named[2]! };
  if (issue.path.length < 3) return { kind: undefined, name: '' };
  return { kind: SECTION_KIND[String(issue.path[issue.path.length - 3])], name: String(issue.path[issue.path.length - 1]) };
}

/** The folder of the nearest package.json at or above `dir`, if any. */
function projectOf(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** kind:name → package, for every plugin the installed plugin packages of these projects define. */
async function installedProviders(projects: readonly string[]): Promise<Map<string, string>> {
  const scratch = new PluginRegistry();
  for (const dir of projects) {
    // Problems loading a package are not this pipeline's: `plugins list` reports them.
    await loadPluginPackages(scratch, installedPluginPackages(dir), { pipelineFile: join(dir, 'package.json'), cwd: dir, allowPluginPath: false });
  }
  return new Map(scratch.list().map((e) => [`${e.definition.kind}:${e.definition.name}`, e.package]));
}

/** `issues` with each E_UNKNOWN_PLUGIN that an installed package could fix naming that package. */
export async function explainUnknownPlugins(issues: readonly LocatedIssue[], pipelineFiles: readonly string[], cwd: string): Promise<LocatedIssue[]> {
  if (!issues.some((i) => i.code === 'E_UNKNOWN_PLUGIN')) return [...issues];
  const projects = new Set<string>();
  for (const file of pipelineFiles) {
    const project = projectOf(dirname(resolve(cwd, file)));
    if (project !== undefined) projects.add(project);
  }
  const cwdProject = projectOf(cwd);
  if (cwdProject !== undefined) projects.add(cwdProject);
  const providers = await installedProviders([...projects]);
  return issues.map((issue) => {
    if (issue.code !== 'E_UNKNOWN_PLUGIN') return issue;
    const { kind, name } = unknownPlugin(issue);
    const pkg = kind === undefined ? undefined : providers.get(`${kind}:${name}`);
    if (pkg === undefined) return issue;
    return {
      ...issue,
      message: `unknown ${kind} plugin "${name}": the installed package ${pkg} provides it, but the pipeline does not load it; add it under plugins:`,
      hint: `plugins: [${pkg}]   # at the top of the pipeline file`,
    };
  });
}
