/**
 * The commands installed plugin packages contribute (`defineCommand`, core/api/extension.ts).
 * A package names its command modules in its package.json as subpaths of its exports —
 * `"sluice": {"role": "plugin", "commands": ["./validate/command"]}` — so that offering them
 * (and `sluice --help`) imports those small modules only, not the whole package. The package's API range is
 * checked first, as for plugins (packages.ts); a package that does not fit, or a module
 * that fails to import, contributes nothing (commands are offered, never required).
 */
import { pathToFileURL } from 'node:url';
import { API_VERSION } from '../../api/index.ts';
import type { CommandDefinition } from '../../api/index.ts';
import { installApiBinding } from './api-binding.ts';
import { installedPluginPackages } from './discover.ts';
import { extensionExports } from './exports.ts';
import { locatePackage, packageEntry, readPackageJson } from './locate-package.ts';
import { API_PACKAGE } from './packages.ts';
import { ensureLoaderFor } from './typescript-loader.ts';

/** The commands of the plugin packages installed in the project at `cwd` (its package.json's dependencies). */
export async function installedCommands(cwd: string): Promise<CommandDefinition[]> {
  const found: CommandDefinition[] = [];
  for (const ref of installedPluginPackages(cwd)) {
    const dir = locatePackage(ref.name, [cwd], cwd);
    if (!dir) continue;
    const pkg = readPackageJson(dir);
    const { commands: modules } = (pkg.sluice ?? {}) as { commands?: unknown };
    if (!Array.isArray(modules) || modules.length === 0) continue;
    const range = pkg.peerDependencies?.[API_PACKAGE];
    const { default: semver } = await import('semver');
    if (range === undefined || !semver.satisfies(API_VERSION, range, { includePrerelease: true })) continue;
    installApiBinding();
    for (const module of modules) {
      if (typeof module !== 'string' || !module.startsWith('./')) continue;
      const file = packageEntry(dir, pkg, module);
      if (!file) continue;
      try {
        await ensureLoaderFor(file);
        const namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
        for (const e of extensionExports(namespace)) if (e.kind === 'command' && !found.some((c) => c.name === e.name)) found.push(e);
      } catch {
        // a command that cannot load is not offered
      }
    }
  }
  return found;
}
