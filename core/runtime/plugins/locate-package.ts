/**
 * Finds an installed package by name the way Node does — `node_modules/<name>` in each
 * folder from the start up to the root — and its ESM entry point from `exports` (conditions
 * `import`, `node`, `default`) or `main`. Node's own resolver cannot be asked for this: it
 * resolves relative to the importing module, and `require.resolve` ignores `import`-only
 * exports.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly main?: string;
  readonly exports?: unknown;
  readonly sluice?: { readonly role?: unknown };
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { optional?: boolean }>>;
}

/** `./x`, `../x` and absolute paths name a folder; anything else a package in node_modules. */
export function isPathEntry(name: string): boolean {
  return name.startsWith('./') || name.startsWith('../') || isAbsolute(name);
}

/**
 * npm's rules for a package name (validate-npm-package-name, new packages): lower case,
 * URL-safe, at most 214 characters, optionally scoped; never `.`/`..` segments or a
 * separator beyond the scope's, so `node_modules/<name>` stays inside `node_modules`.
 */
const PACKAGE_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

export function isPackageName(name: string): boolean {
  return name.length <= 214 && PACKAGE_NAME.test(name);
}

/**
 * The folder of package `name`: for a path entry, that folder (relative to `pathBase`);
 * else the first `node_modules/<name>` found walking up from each of `from`. Undefined when
 * there is none; `searched` collects the folders looked at, for the error message.
 */
export function locatePackage(name: string, from: readonly string[], pathBase: string, searched: string[] = []): string | undefined {
  if (isPathEntry(name)) {
    const dir = resolve(pathBase, name);
    searched.push(dir);
    return existsSync(join(dir, 'package.json')) ? dir : undefined;
  }
  const seen = new Set<string>();
  for (const start of from) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (!seen.has(candidate)) {
        seen.add(candidate);
        searched.push(join(dir, 'node_modules'));
        if (existsSync(join(candidate, 'package.json'))) return candidate;
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

export function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/**
 * Export conditions, as Node's for an ESM import; running from its own sources, the runtime
 * also takes `sluice-source` (a package's TypeScript sources, as Sluice's own package.json
 * offers them), so a package built beside its sources (plugins/experiment-analytics) is run
 * from the same kind of code as the runtime.
 */
const CONDITIONS = new Set(['import', 'node', 'default', ...(import.meta.url.endsWith('.ts') ? ['sluice-source'] : [])]);

function pickTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const picked = pickTarget(t);
      if (picked) return picked;
    }
    return undefined;
  }
  if (typeof target === 'object' && target !== null) {
    // Conditions are tried in the order the package wrote them, as Node does.
    for (const [key, value] of Object.entries(target)) {
      if (CONDITIONS.has(key)) {
        const picked = pickTarget(value);
        if (picked) return picked;
      }
    }
  }
  return undefined;
}

/** The file of the package's export `subpath` (the main one, `.`, by default); undefined when it declares none that ESM can load. */
export function packageEntry(dir: string, pkg: PackageJson, subpath = '.'): string | undefined {
  const { exports } = pkg;
  let target: string | undefined;
  if (exports === undefined) target = subpath === '.' ? (pkg.main ?? 'index.js') : subpath;
  else if (typeof exports === 'object' && exports !== null && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith('.'))) {
    target = pickTarget((exports as Record<string, unknown>)[subpath]);
  } else target = subpath === '.' ? pickTarget(exports) : undefined;
  if (target === undefined) return undefined;
  const file = resolve(dir, target);
  return existsSync(file) ? file : undefined;
}
