#!/usr/bin/env node
// The build (`npm run build`; `npm ci` runs it as `prepare`): transpiles the runtime's
// TypeScript — core/, plugins/, lib/, config/ — file by file into dist/ with esbuild, the same
// tree with `.js` files whose relative `.ts` imports now name `.js`. Nothing is bundled, so
// every module keeps its own file and `import.meta.url`, and dynamic imports stay lazy.
// Assets the runtime reads beside its code (config/*.yaml, the loader hook *.mjs) are copied,
// and dist/builtin-plugins.json lists what each built-in plugin module defines. A plugin
// package under plugins/ (a folder with its own package.json) is transpiled into its own
// dist/ instead, as its package.json's exports say.
//
// The build goes to a temporary folder that replaces dist/ when complete, and ends by
// writing dist/build-stamp.json (written last: a dist/ without it is no build). The bin
// (bin/sluice.mjs) runs dist/ only when no source is newer than that stamp — see
// scripts/build-freshness.mjs.
//
// `--types`: also the `.d.ts` of the package's exports, `sluice/api` and `sluice/testing`
// (tsconfig.types.json, with tsc: several seconds more; `npm ci` and `npm pack` run it
// through `prepare`). The stamp records whether they were made.
// `--quiet`: print nothing on success. `--if-stale`: do nothing when dist/ is fresh (what
// `npm start` and `npm test` run first, so an unchanged tree costs them a few ms); with
// `--types`, fresh also means the stamp says the declarations are there.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUILD_ROOTS, DIST, ROOT, STAMP, buildIsFresh, pluginPackageDirs, readStamp, sourceFiles } from './build-freshness.mjs';

const quiet = process.argv.includes('--quiet');
const types = process.argv.includes('--types');
if (process.argv.includes('--if-stale') && buildIsFresh() && (!types || readStamp()?.types === true)) process.exit(0);
const started = Date.now();
const packages = pluginPackageDirs();
const inPackage = (f) => packages.some((p) => f.startsWith(`${p}/`));
const files = sourceFiles();
// Front-end sources (`web/` folders) run in the browser: bundled below, not transpiled for node.
const isWeb = (f) => /[\\/]web[\\/]/.test(relative(ROOT, f));
const isCode = (f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts') && !isWeb(f);
const entries = files.filter((f) => isCode(f) && !inPackage(f));
const assets = files.filter((f) => !f.endsWith('.ts') && !inPackage(f));
const tmp = `${DIST}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });

/** Relative `.ts` imports become `.js`; everything else (packages, node:) is left as written. */
const relativeTsToJs = {
  name: 'relative-ts-to-js',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const rel = args.path.startsWith('./') || args.path.startsWith('../');
      return { path: rel ? args.path.replace(/\.ts$/, '.js') : args.path, external: true };
    });
  },
};

/** Transpiles `from` (files under `base`) into `outdir`, the same tree with `.js` files. */
const transpile = (from, base, outdir) => build({
  absWorkingDir: base,
  entryPoints: from.map((f) => relative(base, f)),
  outdir: relative(base, outdir),
  outbase: '.',
  bundle: true, // with every import external: one output per file, imports rewritten by the plugin
  plugins: [relativeTsToJs],
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  tsconfig: join(ROOT, 'tsconfig.json'),
  logLevel: 'warning',
});
await transpile(entries, ROOT, tmp);
// Each plugin package into its own dist/ (its package.json's exports name those files; the
// runtime takes them when it runs compiled, the sources when it runs from them).
// Replacing dist/ moves the package folder's mtime, which the freshness check reads (a file
// added or removed): it is set back, as dist/ is output, not input.
for (const dir of packages) {
  const { atime, mtime } = statSync(dir);
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  await transpile(files.filter((f) => isCode(f) && f.startsWith(`${dir}/`)), dir, join(dir, 'dist'));
  utimesSync(dir, atime, mtime);
}
if (types) {
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.types.json'), '--outDir', tmp], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`declarations failed (tsc exited ${tsc.status})`);
  }
}
for (const file of assets) {
  const to = join(tmp, relative(ROOT, file));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(file, to);
}
// The web UI's pages (core/ui/assets.ts): each bundled with its libraries into dist/ui/.
const { UI_ENTRIES, bundleUi } = await import(pathToFileURL(join(tmp, 'core/ui/assets.js')).href);
mkdirSync(join(tmp, 'ui'), { recursive: true });
for (const entry of Object.keys(UI_ENTRIES)) {
  for (const file of await bundleUi(ROOT, entry)) writeFileSync(join(tmp, 'ui', file.name), file.contents);
}
// The built-ins' manifest (core/runtime/plugins/builtin-manifest.ts): import each compiled
// plugin module once and record what it defines, so a run imports only what it uses.
const { builtinModules } = await import(pathToFileURL(join(tmp, 'core/runtime/plugins/builtins.js')).href);
const { describeBuiltins, MANIFEST_FILE } = await import(pathToFileURL(join(tmp, 'core/runtime/plugins/builtin-manifest.js')).href);
const manifest = await describeBuiltins(builtinModules(join(tmp, 'plugins')), tmp);
writeFileSync(join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);

// The stamp records the time the inputs were read: a source saved after that is newer.
writeFileSync(join(tmp, STAMP), `${JSON.stringify({ startedAt: started, roots: BUILD_ROOTS, files: entries.length + assets.length, types })}\n`);

// Swap in the new tree; a concurrent reader sees the old dist/, none, or the new one. Two
// builds at once (npm test and a test file's own check) each retry until theirs is in place.
const old = `${DIST}.old-${process.pid}`;
for (let attempt = 0; ; attempt++) {
  try {
    renameSync(tmp, DIST);
    break;
  } catch (error) {
    if (attempt >= 20 || !['ENOTEMPTY', 'EEXIST'].includes(error.code)) throw error;
    try {
      renameSync(DIST, `${old}-${attempt}`);
    } catch (moved) {
      if (moved.code !== 'ENOENT') throw moved;
    }
  }
}
for (const name of readdirSync(dirname(DIST))) {
  if (name.startsWith(`dist.old-${process.pid}`)) rmSync(join(dirname(DIST), name), { recursive: true, force: true });
}
if (!quiet) console.log(`built ${entries.length} modules, ${assets.length} assets and a manifest of ${manifest.modules.length} built-in modules into ${relative(ROOT, DIST)}/ in ${Date.now() - started} ms`);
// Importing the plugins may have left handles open (clients, timers): the build is done.
process.exit(0);
