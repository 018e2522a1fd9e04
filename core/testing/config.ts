/**
 * Parses a raw operator config for the test kit with the runtime's validator
 * (core/runtime/spec: defaults, durations to ms, unknown keys rejected, CEL checked), then
 * runs the plugin's `check`. Throws one error listing every problem.
 */
import type { ConfigIssue } from '../api/spec.ts';
import type { PluginDefinition } from '../api/plugin.ts';
import { Locator, validateConfig } from '../runtime/spec/index.ts';
import type { OperatorPlugin } from './operator-plugin.ts';

const where = (issue: ConfigIssue) => (issue.path.length ? issue.path.join('.') : '(config)');

/** Parses `raw` by the plugin's spec and runs its `check`; throws on any error. */
export function parseOperatorConfig(definition: OperatorPlugin, raw: unknown): unknown {
  return parsePluginConfig(definition, raw);
}

/** Parses `raw` by any plugin's spec and runs its `check`; throws on any error. */
export function parsePluginConfig(definition: PluginDefinition, raw: unknown): unknown {
  const { value, issues } = validateConfig(definition.spec, raw, { locator: Locator.empty(`<${definition.name} config>`), path: [] });
  const errors: ConfigIssue[] = issues.filter((i) => i.severity === 'error');
  if (errors.length === 0) errors.push(...((definition.check as ((c: unknown) => readonly ConfigIssue[]) | undefined)?.(value) ?? []).filter((i) => i.severity === 'error'));
  if (errors.length) throw new Error(`invalid config for '${definition.name}': ${errors.map((e) => `${where(e)}: ${e.message}`).join('; ')}`);
  return value;
}
