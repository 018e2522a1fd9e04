/**
 * The pages' front-end bundles. The build (scripts/build.mjs) bundles each built-in entry
 * with esbuild into `dist/ui/<name>.js` (and `.css` when it imports styles), so an installed
 * package serves prebuilt files; running from the sources, the server bundles them with
 * esbuild (a dev dependency) on first request and keeps them in memory. A page a plugin
 * package contributes (contributed-pages.ts) is bundled from its entry on first request,
 * likewise. Nothing is fetched from elsewhere: the libraries (dagre, uPlot) are inside the
 * bundles.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UiPageDefinition } from '../api/index.ts';

/** Built-in front-end entries, relative to the repository root (the build mirrors the names into dist/ui/). */
export const UI_ENTRIES = {
  job: 'core/ui/web/job-page.ts',
} as const;
export type UiEntry = keyof typeof UI_ENTRIES;

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

/** From core/ui/ (sources) or dist/core/ui/ (build): the root the entries or dist/ui/ are under. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const cache = new Map<string, Promise<Map<string, Asset>>>();

/** `job.js`, `<page>.css` …: undefined when there is no such asset. A contributed page's `.css` is empty when it imports no styles. */
export async function uiAsset(file: string, pages: readonly UiPageDefinition[] = []): Promise<Asset | undefined> {
  const match = /^([a-z]+)\.(js|css)$/.exec(file);
  if (!match) return undefined;
  const name = match[1]!;
  if (name in UI_ENTRIES) {
    const entry = name as UiEntry;
    let bundle = cache.get(entry);
    if (!bundle) cache.set(entry, (bundle = FROM_SOURCE ? bundleNow(entry) : readBuilt(entry)));
    return (await bundle).get(file);
  }
  const page = pages.find((p) => p.name === name);
  if (!page) return undefined;
  const key = `page:${page.entry}`;
  let bundle = cache.get(key);
  if (!bundle) cache.set(key, (bundle = bundleFiles(dirname(fileURLToPath(page.entry)), name, fileURLToPath(page.entry))));
  return (await bundle).get(file) ?? (match[2] === 'css' ? { body: Buffer.alloc(0), type: TYPES.css! } : undefined);
}

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

async function readBuilt(entry: UiEntry): Promise<Map<string, Asset>> {
  const out = new Map<string, Asset>();
  for (const ext of ['js', 'css']) {
    try {
      out.set(`${entry}.${ext}`, { body: await readFile(`${ROOT}ui/${entry}.${ext}`), type: TYPES[ext]! });
    } catch {
      // no styles for this entry
    }
  }
  return out;
}

async function bundleNow(entry: UiEntry): Promise<Map<string, Asset>> {
  return bundleFiles(ROOT, entry, UI_ENTRIES[entry]);
}

async function bundleFiles(root: string, name: string, file: string): Promise<Map<string, Asset>> {
  const files = await bundle(root, name, file);
  return new Map(files.map((f) => [f.name, { body: Buffer.from(f.contents), type: TYPES[f.name.split('.').pop()!]! }]));
}

/** Bundles one built-in entry with esbuild (the build calls this too): `<entry>.js` and maybe `<entry>.css`. */
export function bundleUi(root: string, entry: UiEntry): Promise<{ name: string; contents: Uint8Array }[]> {
  return bundle(root, entry, UI_ENTRIES[entry]);
}

async function bundle(root: string, name: string, file: string): Promise<{ name: string; contents: Uint8Array }[]> {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    entryPoints: { [name]: file },
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return result.outputFiles.map((f) => ({ name: f.path.split('/').pop()!, contents: f.contents }));
}
