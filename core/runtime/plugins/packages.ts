/**
 * Loads the plugin packages a pipeline names under `plugins:`. For each entry, in order:
 *
 * 0. the entry must be a valid package name (a path only with `--allow-plugin-path`) — else
 *    `E_PLUGIN_PATH`, and nothing of it is read;
 * 1. find the package (`node_modules` up from the pipeline's folder, then from the working
 *    directory; or the folder a `./path` entry names) — else `E_PLUGIN_NOT_FOUND`;
 * 2. read its package.json: it must declare `"sluice": {"role": "plugin"}` and a peer
 *    dependency range on `sluice` — else `E_PLUGIN_INVALID`;
 * 3. check that range against `API_VERSION` (semver) — else `E_PLUGIN_VERSION`; the
 *    package's code is not run when it does not fit;
 * 4. import it with `sluice/api` bound to this runtime (api-binding.ts) — a throw while
 *    importing is `E_PLUGIN_INIT`;
 * 5. register its branded exports — none is `E_PLUGIN_INVALID`, a kind and name already
 *    registered (built-in or not) is `E_PLUGIN_CLASH`.
 *
 * Every problem is a located issue at the entry's line under `plugins:`; all entries are
 * tried, so one run reports every problem.
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { API_VERSION, SluiceError } from '../../api/index.ts';
import type { ErrorCode } from '../../api/index.ts';
import type { LocatedIssue } from '../graph/types.ts';
import { installApiBinding } from './api-binding.ts';
import { ensureLoaderFor } from './typescript-loader.ts';
import type { PackageRef } from '../spec/pipeline.ts';
import { importBuiltin } from './builtins.ts';
import { brandedExports, extensionExports } from './exports.ts';
import { isPackageName, isPathEntry, locatePackage, packageEntry, readPackageJson } from './locate-package.ts';
import type { PackageJson } from './locate-package.ts';
import { pluginPathsAllowed } from './path-policy.ts';
import { describePlugin } from './registry.ts';
import type { PluginRegistry } from './registry.ts';

export interface LoadPackagesOptions {
  /** The pipeline file: packages resolve from its folder first. */
  readonly pipelineFile: string;
  /** Second place to resolve from; `process.cwd()` by default. */
  readonly cwd?: string;
  /** Whether a path entry (`./x`, `/abs/x`) may be loaded; `pluginPathsAllowed()` by default. */
  readonly allowPluginPath?: boolean;
}


/** The peer dependency name plugins declare their API range under. */
export const API_PACKAGE = 'sluice';

/**
 * Loads each package a pipeline names (`readPipelinePackages` of core/runtime/graph gives
 * them, located) into `registry`. Returns the problems, located at the entries.
 */
export async function loadPluginPackages(registry: PluginRegistry, refs: readonly PackageRef[], options: LoadPackagesOptions): Promise<LocatedIssue[]> {
  const cwd = options.cwd ?? process.cwd();
  const pipelineDir = dirname(resolve(cwd, options.pipelineFile));
  const issues: LocatedIssue[] = [];
  for (const ref of refs) {
    const problem = (code: ErrorCode, message: string, hint?: string): void => {
      issues.push({
        code,
        file: ref.file,
        line: ref.line,
        col: ref.col,
        configPath: ref.configPath,
        path: parseConfigPath(ref.configPath),
        message,
        severity: 'error',
        ...(hint ? { hint } : {}),
      });
    };
    if (!isPackageName(ref.name) && !(isPathEntry(ref.name) && (options.allowPluginPath ?? pluginPathsAllowed()))) {
      // Refused before anything of it is read: a pipeline file alone must not run code.
      const what = isPathEntry(ref.name) ? 'a path' : 'not a valid package name';
      problem('E_PLUGIN_PATH', `plugin entry '${ref.name}' is ${what}: plugins load from installed packages only`, 'name an installed package (npm install <name>), or add --allow-plugin-path to load a folder you trust');
      continue;
    }
    await loadOne(registry, ref.name, pipelineDir, cwd, problem);
  }
  return issues;
}

/** `profiles.prod.plugins[0]` → `['profiles', 'prod', 'plugins', 0]`. */
function parseConfigPath(text: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/** Relative to `cwd` when inside it, else absolute: what a user can click on. */
export function shownPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

type Problem = (code: ErrorCode, message: string, hint?: string) => void;

async function loadOne(registry: PluginRegistry, name: string, pipelineDir: string, cwd: string, problem: Problem): Promise<void> {
  const searched: string[] = [];
  const dir = locatePackage(name, [pipelineDir, cwd], pipelineDir, searched);
  if (!dir) {
    problem('E_PLUGIN_NOT_FOUND', `plugin package '${name}' is not installed`, `install it (npm install ${name}); looked in ${searched.slice(0, 3).join(', ')}${searched.length > 3 ? ', …' : ''}`);
    return;
  }
  let pkg: PackageJson;
  try {
    pkg = readPackageJson(dir);
  } catch (error) {
    problem('E_PLUGIN_INVALID', `cannot read package.json of '${name}': ${(error as Error).message}`);
    return;
  }
  const label = `'${name}'${pkg.version ? `@${pkg.version}` : ''}`;
  if (pkg.sluice?.role !== 'plugin') {
    problem('E_PLUGIN_INVALID', `package ${label} is not a Sluice plugin package`, 'its package.json must declare "sluice": {"role": "plugin"}');
    return;
  }
  const range = pkg.peerDependencies?.[API_PACKAGE];
  // Imported here: a pipeline without packages never needs them. The two functions, not
  // `semver`'s index, which loads its ~50 modules.
  const [{ default: validRange }, { default: satisfies }] = await Promise.all([import('semver/ranges/valid.js'), import('semver/functions/satisfies.js')]);
  if (range === undefined || validRange(range) === null) {
    problem('E_PLUGIN_INVALID', `package ${label} declares no valid API range`, `its package.json must have "peerDependencies": {"${API_PACKAGE}": "^${API_VERSION}"}`);
    return;
  }
  if (!satisfies(API_VERSION, range, { includePrerelease: true })) {
    problem('E_PLUGIN_VERSION', `package ${label} requires ${API_PACKAGE} ${range}, but this runtime provides API ${API_VERSION}`, `install a version of ${name} built for ${API_PACKAGE} ${API_VERSION}`);
    return;
  }
  const main = packageEntry(dir, pkg);
  if (!main) {
    problem('E_PLUGIN_INVALID', `package ${label} has no entry point that ESM can import`, 'declare "exports" (or "main") in its package.json');
    return;
  }
  installApiBinding(dir);
  let namespace: Record<string, unknown>;
  try {
    await ensureLoaderFor(main);
    namespace = (await import(pathToFileURL(main).href)) as Record<string, unknown>;
  } catch (error) {
    problem('E_PLUGIN_INIT', `package ${label} threw while loading: ${(error as Error).message}`);
    return;
  }
  const found = brandedExports(namespace);
  const extensions = extensionExports(namespace);
  if (found.length === 0 && extensions.length === 0) {
    problem('E_PLUGIN_INVALID', `package ${label} exports no plugin made by definePlugin`);
    return;
  }
  for (const definition of extensions) {
    const taken = registry.addExtension({ definition, package: pkg.name ?? name });
    if (taken) problem('E_PLUGIN_CLASH', `${definition.kind} '${definition.name}' of package ${label} clashes with the one of ${taken.package}`, 'two packages cannot contribute a command or page of one name');
  }
  for (const { definition, exportName } of found) {
    // A built-in not imported yet still clashes: import it so the clash names it.
    const builtin = registry.deferredModule(definition.kind, definition.name);
    if (builtin !== undefined) await importBuiltin(registry, builtin);
    const registered = { definition, package: pkg.name ?? name, version: pkg.version ?? '0.0.0', module: main, exportName };
    const clash = registry.tryRegister(registered);
    if (clash) problem('E_PLUGIN_CLASH', `${describePlugin(registered)} clashes with ${describePlugin(clash)}`, 'two plugins cannot share a kind and name');
  }
}

/** The coded, located error for an issue: `… (pipelines/x.yaml:3:12, plugins[0])`. */
export function issueError(issue: LocatedIssue): SluiceError {
  return new SluiceError(issue.code, issue.message, {
    location: { file: issue.file, line: issue.line, col: issue.col, path: issue.configPath },
  });
}
