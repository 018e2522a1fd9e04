/** Finds the branded plugin definitions (and extensions) among a module's exports. */
import { isExtension, isPluginDefinition } from '../../api/index.ts';
import type { Branded, BrandedExtension, ExtensionDefinition, PluginDefinition } from '../../api/index.ts';

export interface FoundDefinition {
  readonly definition: Branded<PluginDefinition>;
  /** `geoLookup`, `plugins[1]`, `default[0]`. */
  readonly exportName: string;
}

/**
 * Named exports that are definitions, and definitions inside exported arrays (`export const
 * plugins = [...]`, `export default [...]`). One definition exported under two names counts
 * once.
 */
export function brandedExports(namespace: Record<string, unknown>): FoundDefinition[] {
  const found: FoundDefinition[] = [];
  const seen = new Set<unknown>();
  const add = (value: unknown, exportName: string): void => {
    if (!isPluginDefinition(value) || seen.has(value)) return;
    seen.add(value);
    found.push({ definition: value, exportName });
  };
  for (const [name, value] of Object.entries(namespace)) {
    if (Array.isArray(value)) value.forEach((v, i) => add(v, `${name}[${i}]`));
    else add(value, name);
  }
  return found;
}

/** The extensions (`defineCommand`, `defineUiPage`) among a module's exports, found as `brandedExports` finds plugins. */
export function extensionExports(namespace: Record<string, unknown>): BrandedExtension<ExtensionDefinition>[] {
  const found = new Set<BrandedExtension<ExtensionDefinition>>();
  for (const value of Object.values(namespace)) {
    for (const v of Array.isArray(value) ? value : [value]) if (isExtension(v)) found.add(v);
  }
  return [...found];
}
