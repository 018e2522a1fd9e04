/**
 * Built-in plugins: every `plugins/<folder>/index.ts` of this repository, scanned at start,
 * so adding a plugin needs no central list. Each branded export is registered; a folder
 * without one, or a kind and name defined twice, is an error.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { API_VERSION, SluiceError } from '../../api/index.ts';
import { brandedExports } from './exports.ts';
import { PluginRegistry, describePlugin } from './registry.ts';

/** The repository root, from this file's place in it. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `plugins/*\/index.ts` files, sorted by folder. */
export function builtinModules(pluginsDir = join(REPO_ROOT, 'plugins')): string[] {
  if (!existsSync(pluginsDir)) return [];
  return readdirSync(pluginsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(pluginsDir, d.name, 'index.ts'))
    .filter((file) => existsSync(file))
    .sort();
}

/**
 * Imports every built-in module and registers its definitions in a new registry. Throws
 * `E_PLUGIN_INVALID` for an index.ts that cannot be imported and `E_PLUGIN_CLASH` for a
 * kind and name defined twice; an index.ts without definitions is noted in `warnings`.
 */
export async function loadBuiltinRegistry(pluginsDir?: string): Promise<PluginRegistry> {
  const registry = new PluginRegistry();
  for (const file of builtinModules(pluginsDir)) {
    const module = relative(REPO_ROOT, file);
    let namespace: Record<string, unknown>;
    try {
      namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      throw new SluiceError('E_PLUGIN_INVALID', `cannot import built-in module ${module}: ${(error as Error).message}`, { cause: error });
    }
    const found = brandedExports(namespace);
    // A plugin folder may hold a library other plugins share (no definition yet, or none
    // meant): it is skipped, and said so where plugins are listed.
    if (found.length === 0) registry.warnings.push(`${module} exports no plugin made by definePlugin; skipped`);
    for (const { definition, exportName } of found) {
      const entry = { definition, package: 'built-in', version: API_VERSION, module, exportName } as const;
      const clash = registry.tryRegister(entry);
      if (clash) {
        throw new SluiceError('E_PLUGIN_CLASH', `${describePlugin(entry)} clashes with ${describePlugin(clash)}`);
      }
    }
  }
  return registry;
}

let shared: Promise<PluginRegistry> | undefined;

/** The built-ins, scanned once per process. Callers `clone()` it before adding packages. */
export function builtinRegistry(): Promise<PluginRegistry> {
  shared ??= loadBuiltinRegistry();
  return shared;
}
