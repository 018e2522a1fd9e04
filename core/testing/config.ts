/**
 * Parses a raw operator config for the test kit with the runtime's validator
 * (core/runtime/spec: defaults, durations to ms, unknown keys rejected, CEL checked), then
 * runs the plugin's `check`. Throws one error listing every problem.
 */
import type { ConfigIssue } from '../api/spec.ts';
import type { PluginDefinition, PluginKind } from '../api/plugin.ts';
import { Locator, validateConfig } from '../runtime/spec/index.ts';
import type { OperatorPlugin } from './operator-plugin.ts';

const where = (issue: ConfigIssue) => (issue.path.length ? issue.path.join('.') : '(config)');

/** Parses `raw` by the plugin's spec and runs its `check`; throws on any error. */
export function parseOperatorConfig(definition: OperatorPlugin, raw: unknown, plugins?: readonly PluginDefinition[]): unknown {
  return parsePluginConfig(definition, raw, plugins);
}

/** A lookup over the given definitions, for configs that name a plugin (`plugin` fields). */
function lookupOf(plugins: readonly PluginDefinition[]) {
  return {
    get: (kind: PluginKind, name: string) => plugins.find((p) => p.kind === kind && p.name === name),
    names: (kind: PluginKind) => plugins.filter((p) => p.kind === kind).map((p) => p.name),
  };
}

/**
 * Parses `raw` by any plugin's spec and runs its `check`; throws on any error. `plugins`:
 * the plugins the config may name (a `keyed_process`'s keyed function).
 */
export function parsePluginConfig(definition: PluginDefinition, raw: unknown, plugins: readonly PluginDefinition[] = []): unknown {
  const site = { locator: Locator.empty(`<${definition.name} config>`), path: [], plugins: lookupOf(plugins) };
  const { value, issues } = validateConfig(definition.spec, raw, site);
  const errors: ConfigIssue[] = issues.filter((i) => i.severity === 'error');
  if (errors.length === 0) errors.push(...((definition.check as ((c: unknown) => readonly ConfigIssue[]) | undefined)?.(value) ?? []).filter((i) => i.severity === 'error'));
  if (errors.length) throw new Error(`invalid config for '${definition.name}': ${errors.map((e) => `${where(e)}: ${e.message}`).join('; ')}`);
  return value;
}
