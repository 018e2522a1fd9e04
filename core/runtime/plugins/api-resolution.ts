/**
 * Whether a plugin package already resolves `sluice/api` and `sluice/testing` to this
 * runtime's own modules (api-binding.ts), as when both come from one install: the pipeline
 * project's `node_modules/sluice` is the runtime that runs, or a checkout links itself
 * there. Then the resolve hook, whose loader thread costs ~0.1 CPU-s to start, is not needed.
 *
 * It follows Node's package resolution far enough for Sluice's own package.json: the nearest
 * `node_modules/sluice` at or above the package, its `exports` entry for the subpath, the
 * first condition Node would match (`node`, `import`, `default` and the process's
 * `--conditions`), compared by real path. Anything it does not recognise answers false, and
 * the hook is registered as before.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The conditions this process resolves `import` with. */
function conditions(): Set<string> {
  const out = new Set(['node', 'import', 'default']);
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--conditions=')) out.add(a.slice('--conditions='.length));
    else if ((a === '--conditions' || a === '-C') && args[i + 1]) out.add(args[++i]!);
  }
  return out;
}

/** The target of an `exports` entry under `active` conditions (first matching key, as Node). */
function target(entry: unknown, active: Set<string>): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  for (const [condition, value] of Object.entries(entry as Record<string, unknown>)) {
    if (!active.has(condition)) continue;
    return target(value, active);
  }
  return undefined;
}

const realpath = (file: string): string | undefined => {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
};

/** True when a package in `dir` resolves every specifier of `targets` (specifier → file URL) to that very file. */
export function resolvesToRuntime(dir: string, targets: Readonly<Record<string, string>>): boolean {
  let d = dir;
  for (;;) {
    const manifest = join(d, 'node_modules', 'sluice', 'package.json');
    if (existsSync(manifest)) {
      let exports: Record<string, unknown>;
      try {
        exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, unknown> }).exports ?? {};
      } catch {
        return false;
      }
      const active = conditions();
      return Object.entries(targets).every(([specifier, url]) => {
        const relative = target(exports[`./${specifier.slice('sluice/'.length)}`], active);
        if (!relative?.startsWith('./')) return false;
        const resolved = realpath(join(dirname(manifest), relative));
        return resolved !== undefined && resolved === realpath(fileURLToPath(url));
      });
    }
    if (dirname(d) === d) return false;
    d = dirname(d);
  }
}
