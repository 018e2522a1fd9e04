/**
 * The plugin registry: every plugin the runtime knows, built-in or from a package, by kind
 * and name. Built-in and third-party plugins register the same way; a kind and name
 * registered twice is a clash (`E_PLUGIN_CLASH`), never a silent override.
 */
import type { Branded, PluginDefinition, PluginKind } from '../../api/index.ts';
import type { PluginLookup } from '../graph/types.ts';

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

export class PluginRegistry implements PluginLookup {
  private readonly byKey = new Map<string, RegisteredPlugin>();
  /** Things worth saying about how the registry was filled (a module that exported nothing). */
  readonly warnings: string[] = [];

  /** Adds a plugin; on a clash returns the one already registered and adds nothing. */
  tryRegister(entry: RegisteredPlugin): RegisteredPlugin | undefined {
    const key = `${entry.definition.kind}:${entry.definition.name}`;
    const existing = this.byKey.get(key);
    if (existing) return existing.definition === entry.definition ? undefined : existing;
    this.byKey.set(key, entry);
    return undefined;
  }

  get(kind: PluginKind, name: string): PluginDefinition | undefined {
    return this.byKey.get(`${kind}:${name}`)?.definition;
  }

  /** The registration (package, module) of a plugin. */
  entry(kind: PluginKind, name: string): RegisteredPlugin | undefined {
    return this.byKey.get(`${kind}:${name}`);
  }

  names(kind: PluginKind): readonly string[] {
    return this.list()
      .filter((p) => p.definition.kind === kind)
      .map((p) => p.definition.name);
  }

  /** Every plugin, sorted by kind then name. */
  list(): readonly RegisteredPlugin[] {
    return [...this.byKey.values()].sort(
      (a, b) => KIND_ORDER.indexOf(a.definition.kind) - KIND_ORDER.indexOf(b.definition.kind) || a.definition.name.localeCompare(b.definition.name),
    );
  }

  /** A registry holding the same plugins, to add a pipeline's packages to without touching this one. */
  clone(): PluginRegistry {
    const copy = new PluginRegistry();
    for (const entry of this.byKey.values()) copy.tryRegister(entry);
    copy.warnings.push(...this.warnings);
    return copy;
  }
}

export const KIND_ORDER: readonly PluginKind[] = ['source', 'operator', 'sink', 'state_store', 'checkpoint_store'];

/** `operator 'filter' (built-in, plugins/operator-filter/index.ts)`. */
export function describePlugin(entry: RegisteredPlugin): string {
  const from = entry.package === 'built-in' ? `built-in, ${entry.module}` : `package ${entry.package}@${entry.version}`;
  return `${entry.definition.kind} '${entry.definition.name}' (${from})`;
}
