/**
 * The plugin registry: every plugin the runtime knows, built-in or from a package, by kind
 * and name. Built-in and third-party plugins register the same way; a kind and name
 * registered twice is a clash (`E_PLUGIN_CLASH`), never a silent override.
 */
import type { Branded, BrandedExtension, ExtensionDefinition, PluginDefinition, PluginKind } from '../../api/index.ts';
import type { PluginLookup } from '../graph/types.ts';
import { compareText } from '../spec/compare-text.ts';

/** `built-in` for plugins under `plugins/`, else the npm package name. */
export type PluginPackage = 'built-in' | (string & {});

export interface RegisteredPlugin {
  readonly definition: Branded<PluginDefinition>;
  readonly package: PluginPackage;
  /** Version of the package (the runtime's own for built-ins). */
  readonly version: string;
  /** The module file that exported the definition. */
  readonly module: string;
  /** The export's name (`filterPlugin`, `default[0]`). */
  readonly exportName: string;
}

/** A command or UI page a package contributes (core/api/extension.ts). */
export interface RegisteredExtension {
  readonly definition: BrandedExtension<ExtensionDefinition>;
  readonly package: string;
}

export class PluginRegistry implements PluginLookup {
  private readonly byKey = new Map<string, RegisteredPlugin>();
  /**
   * Built-ins known by kind and name only, not imported (builtin-manifest.ts: the compiled
   * runtime imports only the built-ins a pipeline names). They count in `names()`, so
   * suggestions and hints are the same as with every built-in loaded; `get()` and `list()`
   * see only what was imported.
   */
  private readonly deferred = new Map<string, string>();
  /** Things worth saying about how the registry was filled (a module that exported nothing). */
  readonly warnings: string[] = [];
  /** The commands and UI pages of the loaded packages, in load order; one per kind and name. */
  readonly extensions: RegisteredExtension[] = [];

  /** Adds a package's extension; one of the same kind and name already there wins (returned). */
  addExtension(entry: RegisteredExtension): RegisteredExtension | undefined {
    const same = this.extensions.find((e) => e.definition.kind === entry.definition.kind && e.definition.name === entry.definition.name);
    if (same) return same.definition === entry.definition ? undefined : same;
    this.extensions.push(entry);
    return undefined;
  }

  /** Adds a plugin; on a clash returns the one already registered and adds nothing. */
  tryRegister(entry: RegisteredPlugin): RegisteredPlugin | undefined {
    const key = `${entry.definition.kind}:${entry.definition.name}`;
    const existing = this.byKey.get(key);
    if (existing) return existing.definition === entry.definition ? undefined : existing;
    this.byKey.set(key, entry);
    this.deferred.delete(key);
    return undefined;
  }

  /** Notes a built-in that is known but not imported; `module` is the file that defines it. */
  defer(kind: PluginKind, name: string, module: string): void {
    const key = `${kind}:${name}`;
    if (!this.byKey.has(key)) this.deferred.set(key, module);
  }

  /** The module of a built-in known but not imported yet, if `kind` and `name` are one. */
  deferredModule(kind: PluginKind, name: string): string | undefined {
    return this.deferred.get(`${kind}:${name}`);
  }

  get(kind: PluginKind, name: string): PluginDefinition | undefined {
    return this.byKey.get(`${kind}:${name}`)?.definition;
  }

  /** The registration (package, module) of a plugin. */
  entry(kind: PluginKind, name: string): RegisteredPlugin | undefined {
    return this.byKey.get(`${kind}:${name}`);
  }

  /** Names of every plugin of `kind`, imported or deferred, sorted. */
  names(kind: PluginKind): readonly string[] {
    const loaded = this.list()
      .filter((p) => p.definition.kind === kind)
      .map((p) => p.definition.name);
    const prefix = `${kind}:`;
    const deferred = [...this.deferred.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
    return deferred.length === 0 ? loaded : [...loaded, ...deferred].sort(compareText);
  }

  /** Every imported plugin, sorted by kind then name (`loadBuiltinRegistry` imports every built-in). */
  list(): readonly RegisteredPlugin[] {
    return [...this.byKey.values()].sort(
      (a, b) => KIND_ORDER.indexOf(a.definition.kind) - KIND_ORDER.indexOf(b.definition.kind) || compareText(a.definition.name, b.definition.name),
    );
  }

  /** A registry holding the same plugins, to add a pipeline's packages to without touching this one. */
  clone(): PluginRegistry {
    const copy = new PluginRegistry();
    for (const entry of this.byKey.values()) copy.tryRegister(entry);
    for (const [key, module] of this.deferred) copy.deferred.set(key, module);
    copy.warnings.push(...this.warnings);
    copy.extensions.push(...this.extensions);
    return copy;
  }
}

export const KIND_ORDER: readonly PluginKind[] = ['source', 'operator', 'sink', 'state_store', 'checkpoint_store', 'keyed_function'];

/** `operator 'filter' (built-in, plugins/operator-filter/index.ts)`. */
export function describePlugin(entry: RegisteredPlugin): string {
  const from = entry.package === 'built-in' ? `built-in, ${entry.module}` : `package ${entry.package}@${entry.version}`;
  return `${entry.definition.kind} '${entry.definition.name}' (${from})`;
}
