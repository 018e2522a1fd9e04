import type { PluginDefinition } from '../api/index.ts';

/**
 * Any operator plugin, whatever its config, deps and state types: what `definePlugin`
 * returns for an operator is assignable to it as it is (`Infer` maps `any` to `any`).
 */
export type OperatorPlugin = Extract<PluginDefinition, { kind: 'operator' }>;
