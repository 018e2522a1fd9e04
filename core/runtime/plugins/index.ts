/**
 * Plugins: the registry (built-ins + a pipeline's packages), the package loader, the API
 * binding for packages, and the open/close lifecycle.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readPipelinePackages } from '../graph/compile.ts';
import type { LocatedIssue } from '../graph/types.ts';
import { builtinRegistry, builtinRegistryFor } from './builtins.ts';
import { loadPluginPackages, shownPath } from './packages.ts';
import type { PluginRegistry } from './registry.ts';

export { PluginRegistry, describePlugin, KIND_ORDER } from './registry.ts';
export type { RegisteredPlugin, PluginPackage } from './registry.ts';
export { builtinPlugin, builtinRegistry, builtinRegistryFor, loadBuiltinRegistry, builtinModules, importBuiltin, REPO_ROOT } from './builtins.ts';
export { describeBuiltins, readManifest, pipelineWords, moduleNeeded, MANIFEST_FILE } from './builtin-manifest.ts';
export type { BuiltinManifest, ManifestModule } from './builtin-manifest.ts';
export { loadPluginPackages, issueError, shownPath, API_PACKAGE } from './packages.ts';
export { allowPluginPaths, pluginPathsAllowed } from './path-policy.ts';
export type { LoadPackagesOptions } from './packages.ts';
export { installApiBinding, API_SPECIFIERS } from './api-binding.ts';
export { installedPluginPackages, loadInstalledPlugins } from './discover.ts';
export { installedCommandEntries } from './commands.ts';
export type { CommandEntry } from './commands.ts';
export { openInOrder, closeInReverse, PluginInitError } from './lifecycle.ts';
export type { Lifecycle, CloseErrorHandler } from './lifecycle.ts';

export interface PipelineRegistry {
  readonly registry: PluginRegistry;
  /** Problems loading the pipelines' packages, located at their `plugins:` entries. */
  readonly issues: readonly LocatedIssue[];
}

export interface RegistryOptions {
  /** Resolves relative files and packages; `process.cwd()` by default. */
  readonly cwd?: string;
  /** For `${VAR}` in `plugins:` entries; `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * `used` (default): the built-ins the files can use, the others known by name only
   * (compiled runtime; from sources every built-in is imported anyway). `all`: every built-in.
   */
  readonly builtins?: 'used' | 'all';
  /** Whether `plugins:` may name a folder; the command line's `--allow-plugin-path` by default. */
  readonly allowPluginPath?: boolean;
}

/**
 * The plugins pipelines see: the built-ins plus the packages every given file names under
 * `plugins:` (top level and profiles). Returns a registry of its own, to add to freely.
 * A file that cannot be read adds nothing here (compiling it reports that).
 */
export async function registryForPipelines(files: readonly string[], options: RegistryOptions = {}): Promise<PipelineRegistry> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const read: { absolute: string; text: string }[] = [];
  for (const file of files) {
    const absolute = resolve(cwd, file);
    try {
      read.push({ absolute, text: readFileSync(absolute, 'utf8') });
    } catch {
      continue;
    }
  }
  const registry = options.builtins === 'all' ? (await builtinRegistry()).clone() : await builtinRegistryFor(read.map((r) => r.text), env);
  const issues: LocatedIssue[] = [];
  for (const { absolute, text } of read) {
    // A file without the word `plugins` names no package: skip parsing it a second time.
    if (!/\bplugins\b/.test(text)) continue;
    const refs = readPipelinePackages(shownPath(cwd, absolute), text, env);
    issues.push(...(await loadPluginPackages(registry, refs, { pipelineFile: absolute, cwd, ...(options.allowPluginPath !== undefined ? { allowPluginPath: options.allowPluginPath } : {}) })));
  }
  return { registry, issues };
}
