/**
 * Binds `sluice/api` and `sluice/testing` to this runtime's own modules for every module
 * loaded after it, plugin packages included.
 *
 * Why a resolve hook and not the npm dependency graph: a plugin package declares `sluice`
 * as an optional peer dependency, so installing it never fetches a second copy of the
 * runtime; at load time the hook maps the plugin's `import … from 'sluice/api'` to
 * `core/api/index.ts` of the runtime that loads it. Every plugin therefore sees exactly
 * one API instance (one `SluiceError` class, one `ManualClock`), whatever is or is not
 * installed in its own `node_modules`. The hook is registered once per process.
 */
import { register } from 'node:module';
import { resolvesToRuntime } from './api-resolution.ts';

/** `.ts` when this runtime runs from its sources, `.js` when it runs compiled (dist/). */
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** Specifier → the module this runtime serves for it: its own copy, source or compiled. */
export const API_SPECIFIERS: Readonly<Record<string, string>> = {
  'sluice/api': new URL(`../../api/index${EXT}`, import.meta.url).href,
  'sluice/testing': new URL(`../../testing/index${EXT}`, import.meta.url).href,
};

let installed = false;

/**
 * Registers the resolve hook (idempotent). Node ≥ 20.6. With `packageDir`, not when the
 * package there already resolves the API to this runtime's modules (api-resolution.ts).
 */
export function installApiBinding(packageDir?: string): void {
  if (installed) return;
  if (packageDir !== undefined && resolvesToRuntime(packageDir, API_SPECIFIERS)) return;
  register(new URL('./api-resolve-hook.mjs', import.meta.url), {
    data: { targets: API_SPECIFIERS },
  });
  installed = true;
}
