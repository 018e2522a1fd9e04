/**
 * The commands installed plugin packages contribute (`defineCommand`, core/api/extension.ts).
 * A package lists them in its package.json, each with its word, its one-line summary and
 * the export subpath of its module:
 *
 *   "sluice": {"role": "plugin", "commands": [
 *     {"name": "validate", "summary": "Recompute a finished run's counts …", "module": "./validate/command"}]}
 *
 * so `sluice --help` lists them from package.json alone, and a command's module is imported
 * only when the command line names it. (A bare subpath string is accepted too; its module is
 * imported to learn its name.) The package's API range is checked before any import, as for
 * plugins (packages.ts); a package that does not fit, or a module that fails to import,
 * contributes nothing: commands are offered, never required.
 */
import { pathToFileURL } from 'node:url';
import type { CommandDefinition } from '../../api/index.ts';
import { installedPluginPackages } from './discover.ts';
import { locatePackage, packageEntry, readPackageJson } from './locate-package.ts';

/** One contributed command as package.json declares it; `name` is undefined for a bare subpath. */
export interface CommandEntry {
  readonly name: string | undefined;
  readonly summary: string;
  /** Imports the module (after checking the package's API range); its commands. */
  load(): Promise<CommandDefinition[]>;
}

/** The command entries of the plugin packages installed in the project at `cwd` (its package.json's dependencies). No module is imported. */
export function installedCommandEntries(cwd: string): CommandEntry[] {
  const entries: CommandEntry[] = [];
  for (const ref of installedPluginPackages(cwd)) {
    const dir = locatePackage(ref.name, [cwd], cwd);
    if (!dir) continue;
    const pkg = readPackageJson(dir);
    const { commands } = (pkg.sluice ?? {}) as { commands?: unknown };
    if (!Array.isArray(commands)) continue;
    const range = pkg.peerDependencies?.['sluice'];
    for (const c of commands as unknown[]) {
      const declared = typeof c === 'object' && c !== null ? (c as { name?: unknown; summary?: unknown; module?: unknown }) : { module: c };
      const module = declared.module;
      if (typeof module !== 'string' || !module.startsWith('./')) continue;
      const file = packageEntry(dir, pkg, module);
      if (!file) continue;
      entries.push({
        name: typeof declared.name === 'string' ? declared.name : undefined,
        summary: typeof declared.summary === 'string' ? declared.summary : '',
        load: () => loadCommands(dir, file, range),
      });
    }
  }
  return entries;
}

/** The commands a module exports, or none when the package's API range does not fit or it fails to import. */
async function loadCommands(dir: string, file: string, range: string | undefined): Promise<CommandDefinition[]> {
  const [{ default: satisfies }, { API_VERSION }, { installApiBinding }, { ensureLoaderFor }, { extensionExports }] = await Promise.all([
    import('semver/functions/satisfies.js'), import('../../api/index.ts'), import('./api-binding.ts'), import('./typescript-loader.ts'), import('./exports.ts'),
  ]);
  if (range === undefined || !satisfies(API_VERSION, range, { includePrerelease: true })) return [];
  installApiBinding(dir);
  try {
    await ensureLoaderFor(file);
    const namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    return extensionExports(namespace).flatMap((e) => (e.kind === 'command' ? [e] : []));
  } catch {
    return []; // a command that cannot load is not offered
  }
}
