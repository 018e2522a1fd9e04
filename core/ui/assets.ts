/**
 * The pages' front-end bundles. The build (scripts/build.mjs) bundles each entry with
 * esbuild into `dist/ui/<name>.js` (and `.css` when it imports styles), so an installed
 * package serves prebuilt files; running from the sources, the server bundles them with
 * esbuild (a dev dependency) on first request and keeps them in memory. Nothing is fetched
 * from elsewhere: the libraries (dagre, uPlot) are inside the bundles.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Front-end entries, relative to the repository root (the build mirrors the names into dist/ui/). */
export const UI_ENTRIES = {
  job: 'core/ui/web/job-page.ts',
  experiments: 'plugins/experiment-analytics/dashboard/web/dashboard-page.ts',
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

/** `job.js`, `experiments.css` …: undefined when there is no such asset. */
export async function uiAsset(file: string): Promise<Asset | undefined> {
  const match = /^([a-z]+)\.(js|css)$/.exec(file);
  if (!match || !(match[1]! in UI_ENTRIES)) return undefined;
  const entry = match[1] as UiEntry;
  let bundle = cache.get(entry);
  if (!bundle) cache.set(entry, (bundle = FROM_SOURCE ? bundleNow(entry) : readBuilt(entry)));
  return (await bundle).get(file);
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
  const files = await bundleUi(ROOT, entry);
  return new Map(files.map((f) => [f.name, { body: Buffer.from(f.contents), type: TYPES[f.name.split('.').pop()!]! }]));
}

/** Bundles one entry with esbuild (the build calls this too): `<entry>.js` and maybe `<entry>.css`. */
export async function bundleUi(root: string, entry: UiEntry): Promise<{ name: string; contents: Uint8Array }[]> {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    entryPoints: { [entry]: UI_ENTRIES[entry] },
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
