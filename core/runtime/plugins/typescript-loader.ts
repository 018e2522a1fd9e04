/**
 * Plugin packages may ship TypeScript sources (an entry point ending in `.ts`, as
 * examples/sluice-plugin-geo does). Running from its own sources, the runtime is already
 * under tsx's loader; running compiled (dist/), it registers that loader the first time
 * such a package is imported, so a compiled runtime loads the same packages.
 */
const RUNS_FROM_SOURCES = import.meta.url.endsWith('.ts');
let registered = false;

/** Makes sure `file` can be imported: registers tsx's loader once for a TypeScript file. */
export async function ensureLoaderFor(file: string): Promise<void> {
  if (RUNS_FROM_SOURCES || registered || !/\.[cm]?ts$/.test(file)) return;
  const { register } = await import('tsx/esm/api');
  register();
  registered = true;
}
