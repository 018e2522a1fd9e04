/**
 * The built-in plugins' manifest: which `plugins/<folder>/index` module defines which
 * plugins (kind and name; keyed functions are plugins too). The build
 * (scripts/build.mjs) writes it to `dist/builtin-plugins.json` by importing every built-in
 * once; the compiled runtime reads it to import only the built-ins a pipeline can use, so
 * `sluice lint` of one pipeline does not load every client library (Kafka, NATS, sketches).
 *
 * Which modules a pipeline needs is over-approximated from its text: every word in the
 * files (and in the values of the `${VAR}`s they name) that is a built-in's name selects
 * its module. A plugin is always named by a block key, so a pipeline never misses one it
 * uses (a keyed function by `function:`); a word that merely looks like a name costs one
 * extra import. Without a manifest (running from sources) every built-in is imported, as before.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPluginDefinition } from '../../api/index.ts';
import type { PluginKind } from '../../api/index.ts';

export const MANIFEST_FILE = 'builtin-plugins.json';

export interface ManifestModule {
  /** The module, relative to the root the manifest sits in: `plugins/operator-filter/index.js`. */
  readonly module: string;
  readonly plugins: readonly { readonly kind: PluginKind; readonly name: string }[];
}

export interface BuiltinManifest {
  readonly modules: readonly ManifestModule[];
}

/** Imports each module (in order) and records what it defines. */
export async function describeBuiltins(files: readonly string[], root: string): Promise<BuiltinManifest> {
  const modules: ManifestModule[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const plugins = new Map<string, { kind: PluginKind; name: string }>();
    for (const value of Object.values(namespace)) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (isPluginDefinition(v)) plugins.set(`${v.kind}:${v.name}`, { kind: v.kind, name: v.name });
      }
    }
    const module = relative(root, file).split('\\').join('/');
    for (const key of plugins.keys()) {
      // Two built-ins with one kind and name: loading both would fail (E_PLUGIN_CLASH); so does the build.
      if (seen.has(key)) throw new Error(`${key} is defined by both ${seen.get(key)} and ${module}`);
      seen.set(key, module);
    }
    modules.push({ module, plugins: [...plugins.values()] });
  }
  return { modules };
}

/** The manifest at `file`, or undefined when there is none (the runtime runs from sources). */
export function readManifest(file: string): BuiltinManifest | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as BuiltinManifest;
}

const WORD = /[A-Za-z_][A-Za-z0-9_]*/g;

/** Every word of the texts, and of the environment values their `${VAR}`s name. */
export function pipelineWords(texts: readonly string[], env: Readonly<Record<string, string | undefined>>): Set<string> {
  const words = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(WORD)) words.add(m[0]);
    for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) {
      for (const w of (env[m[1]!] ?? '').matchAll(WORD)) words.add(w[0]);
    }
  }
  return words;
}

/** Whether a pipeline made of `words` may use something `module` defines. */
export function moduleNeeded(module: ManifestModule, words: ReadonlySet<string>): boolean {
  return module.plugins.some((p) => words.has(p.name));
}
