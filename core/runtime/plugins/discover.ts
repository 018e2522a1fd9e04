/**
 * Plugin packages installed in a project: the dependencies in its package.json whose own
 * package.json declares `"sluice": {"role": "plugin"}` (Backstage's package discovery).
 * `sluice plugins list` shows them beside the built-ins; a pipeline still names the ones it
 * uses under `plugins:`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocatedIssue } from '../graph/types.ts';
import type { PackageRef } from '../spec/pipeline.ts';
import { locatePackage, readPackageJson } from './locate-package.ts';
import { loadPluginPackages } from './packages.ts';
import type { PluginRegistry } from './registry.ts';

const SECTIONS = ['dependencies', 'optionalDependencies', 'devDependencies'] as const;

/** Dependencies of `<cwd>/package.json` that are plugin packages, located in that file. */
export function installedPluginPackages(cwd: string): PackageRef[] {
  const file = join(cwd, 'package.json');
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const manifest = JSON.parse(text) as Partial<Record<(typeof SECTIONS)[number], Record<string, string>>>;
  const lines = text.split('\n');
  const refs: PackageRef[] = [];
  for (const section of SECTIONS) {
    for (const name of Object.keys(manifest[section] ?? {})) {
      const dir = locatePackage(name, [cwd], cwd);
      if (!dir || refs.some((r) => r.name === name)) continue;
      let role: unknown;
      try {
        role = readPackageJson(dir).sluice?.role;
      } catch {
        continue;
      }
      if (role !== 'plugin') continue;
      const line = lines.findIndex((l) => l.includes(`"${name}"`));
      refs.push({ name, file: 'package.json', line: line + 1, col: Math.max(1, (lines[line]?.indexOf('"') ?? 0) + 1), configPath: `${section}.${name}` });
    }
  }
  return refs;
}

/** Loads the installed plugin packages of `cwd` into `registry`. */
export async function loadInstalledPlugins(registry: PluginRegistry, cwd: string): Promise<LocatedIssue[]> {
  return loadPluginPackages(registry, installedPluginPackages(cwd), { pipelineFile: join(cwd, 'package.json'), cwd });
}
