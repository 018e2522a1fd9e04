/**
 * Built-in plugins: every `plugins/<folder>/index.ts` of this repository, scanned at start,
 * so adding a plugin needs no central list. A folder with its own `package.json` is a plugin
 * package, not a built-in: it loads by name like any package. Each branded export is
 * registered; a folder without one, or a kind and name defined twice, is an error. The compiled runtime imports
 * only those a pipeline can use (`builtinRegistryFor`, builtin-manifest.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { API_VERSION, SluiceError } from '../../api/index.ts';
import type { PluginDefinition, PluginKind } from '../../api/index.ts';
import { MANIFEST_FILE, moduleNeeded, pipelineWords, readManifest } from './builtin-manifest.ts';
import type { BuiltinManifest } from './builtin-manifest.ts';
import { brandedExports } from './exports.ts';
import { PluginRegistry, describePlugin } from './registry.ts';

/** The repository root, from this file's place in it (dist/ when running the build). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `.ts` when the runtime runs from its sources, `.js` when it runs compiled (dist/). */
export const MODULE_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** `plugins/*\/index.ts` files (`index.js` in the build), sorted by folder; plugin packages left out. */
export function builtinModules(pluginsDir = join(REPO_ROOT, 'plugins')): string[] {
  if (!existsSync(pluginsDir)) return [];
  return readdirSync(pluginsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !existsSync(join(pluginsDir, d.name, 'package.json')))
    .map((d) => join(pluginsDir, d.name, `index${MODULE_EXT}`))
    .filter((file) => existsSync(file))
    .sort();
}

/**
 * Imports one built-in module and registers its definitions. Throws `E_PLUGIN_INVALID` for
 * a module that cannot be imported and `E_PLUGIN_CLASH` for a kind and name defined twice;
 * a module without definitions is noted in `warnings`.
 */
export async function importBuiltin(registry: PluginRegistry, file: string): Promise<void> {
  // Named by its source file, which the build mirrors: `plugins/operator-filter/index.ts`.
  const module = relative(REPO_ROOT, file).replace(/\.js$/, '.ts');
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new SluiceError('E_PLUGIN_INVALID', `cannot import built-in module ${module}: ${(error as Error).message}`, { cause: error });
  }
  const found = brandedExports(namespace);
  // A plugin folder may hold a library other plugins share (no definition yet, or none
  // meant): it is skipped and noted in `warnings` (not shown to users: nothing they can act on).
  if (found.length === 0) registry.warnings.push(`${module} exports no plugin made by definePlugin; skipped`);
  for (const { definition, exportName } of found) {
    const entry = { definition, package: 'built-in', version: API_VERSION, module, exportName } as const;
    const clash = registry.tryRegister(entry);
    if (clash) {
      throw new SluiceError('E_PLUGIN_CLASH', `${describePlugin(entry)} clashes with ${describePlugin(clash)}`);
    }
  }
}

/** Imports every built-in module (see `importBuiltin`) into a new registry. */
export async function loadBuiltinRegistry(pluginsDir?: string): Promise<PluginRegistry> {
  const registry = new PluginRegistry();
  for (const file of builtinModules(pluginsDir)) await importBuiltin(registry, file);
  return registry;
}

let shared: Promise<PluginRegistry> | undefined;

/** Every built-in, imported once per process. Callers `clone()` it before adding packages. */
export function builtinRegistry(): Promise<PluginRegistry> {
  shared ??= loadBuiltinRegistry();
  return shared;
}

/**
 * A new registry for pipelines whose files read `texts`: with the build's manifest, the
 * built-ins those texts can use are imported and the others deferred (builtin-manifest.ts);
 * without one, a copy of every built-in.
 */
export async function builtinRegistryFor(
  texts: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  manifest: BuiltinManifest | undefined = readManifest(join(REPO_ROOT, MANIFEST_FILE)),
): Promise<PluginRegistry> {
  if (!manifest) return (await builtinRegistry()).clone();
  const words = pipelineWords(texts, env);
  const registry = new PluginRegistry();
  for (const entry of manifest.modules) {
    const file = join(REPO_ROOT, entry.module);
    if (moduleNeeded(entry, words)) await importBuiltin(registry, file);
    else for (const p of entry.plugins) registry.defer(p.kind, p.name, file);
  }
  return registry;
}

/**
 * One built-in by kind and name (undefined when there is none), importing as little as it
 * can: the module the build's manifest names, else the folder the layout convention names
 * (`plugins/<kind>-<name>/`, e.g. `checkpoint-store-folder`) when it defines that plugin,
 * else every built-in (`builtinRegistry`).
 */
export async function builtinPlugin(
  kind: PluginKind,
  name: string,
  manifest: BuiltinManifest | undefined = readManifest(join(REPO_ROOT, MANIFEST_FILE)),
): Promise<PluginDefinition | undefined> {
  const listed = manifest?.modules.find((m) => m.plugins.some((p) => p.kind === kind && p.name === name));
  const conventional = join(REPO_ROOT, 'plugins', `${kind}-${name}`.replace(/_/g, '-'), `index${MODULE_EXT}`);
  const file = listed ? join(REPO_ROOT, listed.module) : existsSync(conventional) ? conventional : undefined;
  if (file) {
    const registry = new PluginRegistry();
    await importBuiltin(registry, file);
    const found = registry.get(kind, name);
    if (found) return found;
  }
  return (await builtinRegistry()).get(kind, name);
}
