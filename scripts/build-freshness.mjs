// What the build reads, and whether dist/ still matches it. Shared by scripts/build.mjs
// and bin/sluice.mjs, so it imports nothing but node:fs/node:path and stays cheap: the bin
// calls `buildIsFresh()` on every start (a stat of each source file and folder, a few ms).
//
// Fresh means: dist/build-stamp.json exists, and no input file or folder (a folder's mtime
// moves when a file is added, removed or renamed in it) was modified after the build
// started reading. Any edit, `git checkout`, or new plugin folder therefore makes the build
// stale until the next `npm run build`; a stale build is never run.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');
export const STAMP = 'build-stamp.json';
/** Folders compiled into dist/ (tests beside the code are skipped); plugin packages under plugins/ into their own dist/. */
export const BUILD_ROOTS = ['core', 'plugins', 'lib', 'config'];
/** Files outside those folders that change the output. */
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.types.json'];

/** Sources and copied assets. Tests beside the code are not built: not inputs (their folder still is). */
const isInput = (name) => /\.(ts|mjs|ya?ml|json)$/.test(name) && !name.endsWith('.test.ts');

/** Every input file under the build roots (absolute paths, sorted). */
export function sourceFiles(root = ROOT) {
  const out = [];
  walk(root, (path, isDir) => { if (!isDir) out.push(path); });
  return out.sort();
}

function walk(root, visit) {
  const visitDir = (dir) => {
    visit(dir, true);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      // A plugin package (a folder with its own package.json, plugins/experiment-analytics) is
      // built into its own dist/: that output is not an input.
      if (entry.isDirectory()) {
        if (!(entry.name === 'dist' && existsSync(join(dir, 'package.json')))) visitDir(path);
      } else if (isInput(entry.name)) visit(path, false);
    }
  };
  // An installed package ships dist/ without its sources: then there is nothing to compare.
  for (const dir of BUILD_ROOTS) if (existsSync(join(root, dir))) visitDir(join(root, dir));
}

/** The build's stamp, or undefined when dist/ holds no complete build. */
export function readStamp(root = ROOT) {
  try {
    return JSON.parse(readFileSync(join(root, 'dist', STAMP), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The first input modified after the build started (or the missing stamp), or undefined
 * when `<root>/dist` is fresh. `root` is the checkout, this one by default.
 */
export function staleInput(root = ROOT, stamp = readStamp(root)) {
  if (!stamp || typeof stamp.startedAt !== 'number') return join(root, 'dist', STAMP);
  let found;
  const check = (path) => {
    if (found === undefined && statSync(path).mtimeMs > stamp.startedAt) found = path;
  };
  for (const file of BUILD_INPUTS) if (existsSync(join(root, file))) check(join(root, file));
  walk(root, (path) => check(path));
  return found;
}

export function buildIsFresh(root = ROOT) {
  return staleInput(root) === undefined;
}

/** The plugin packages under plugins/: folders with their own package.json, each built into its own dist/. */
export function pluginPackageDirs(root = ROOT) {
  const plugins = join(root, 'plugins');
  if (!existsSync(plugins)) return [];
  return readdirSync(plugins, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(plugins, d.name, 'package.json')))
    .map((d) => join(plugins, d.name));
}
