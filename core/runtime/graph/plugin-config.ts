/** Validates a block's plugin config against the plugin's spec, then its cross-field `check`. */
import type { PipelineBlock } from '../spec/blocks.ts';
import { issueAt } from '../spec/issues.ts';
import type { Locator } from '../spec/locator.ts';
import { validateConfig } from '../spec/validate.ts';
import type { ExprFields } from '../spec/validate.ts';
import type { LocatedIssue, PluginLookup } from './types.ts';

export interface ValidatedPlugin {
  /** The parsed config; undefined when the plugin is unknown or its config has errors. */
  readonly config: unknown;
  readonly ok: boolean;
}

export function validatePluginConfig(block: PipelineBlock, locator: Locator, fields: ExprFields, issues: LocatedIssue[], plugins?: PluginLookup): ValidatedPlugin {
  const { plugin, pluginName } = block;
  if (!plugin || pluginName === undefined) return { config: undefined, ok: false };
  const path = [...block.path, pluginName];
  // `stdout:` with nothing after it means "no settings", like `stdout: {}`.
  const raw = block.config === null && plugin.spec.type === 'object' ? {} : block.config;
  const result = validateConfig(plugin.spec, raw, { locator, path, ...(plugins ? { plugins } : {}) }, fields);
  issues.push(...result.issues);
  if (result.issues.some((i) => i.severity === 'error')) return { config: undefined, ok: false };
  let extra: readonly { path: readonly (string | number)[]; message: string; severity: 'error' | 'warning'; hint?: string }[] = [];
  try {
    extra = (plugin.check as ((config: unknown) => typeof extra) | undefined)?.(result.value) ?? [];
  } catch (error) {
    issues.push(issueAt(locator, 'E_CONFIG_INVALID', path, `plugin "${pluginName}" failed to check its config: ${error instanceof Error ? error.message : String(error)}`));
    return { config: undefined, ok: false };
  }
  for (const issue of extra) {
    issues.push(issueAt(locator, 'E_CONFIG_INVALID', [...path, ...issue.path], issue.message, { severity: issue.severity, ...(issue.hint ? { hint: issue.hint } : {}) }));
  }
  return { config: result.value, ok: !extra.some((i) => i.severity === 'error') };
}
