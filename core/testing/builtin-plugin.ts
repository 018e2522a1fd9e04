/**
 * A built-in operator's definition, by name: what a plugin package's tests give
 * `OperatorTestHarness.for` to run their code inside a built-in, e.g. a keyed function
 * inside `keyed_process`, without importing the built-in's folder.
 */
import { builtinRegistry } from '../runtime/plugins/index.ts';
import type { OperatorPlugin } from './operator-plugin.ts';

export async function builtinOperator(name: string): Promise<OperatorPlugin> {
  const definition = (await builtinRegistry()).get('operator', name);
  if (definition?.kind !== 'operator') throw new Error(`no built-in operator '${name}'`);
  return definition;
}
