/** Finds the run to validate: a folder or summary file given, else the newest under the runs folder. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SUMMARY_FILE } from './summary.ts';

/** Default folder of embedded runs, relative to the working directory. */
export const DEFAULT_RUNS_DIR = '.sluice/runs';

function summariesUnder(dir: string, depth: number, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isFile() && e.name === SUMMARY_FILE) out.push(path);
    else if (e.isDirectory() && depth > 0) summariesUnder(path, depth - 1, out);
  }
}

/** The summary file of `run` (a folder or the file itself), or of the newest run under `runsDir`. */
export function findSummary(run: string | undefined, runsDir = DEFAULT_RUNS_DIR): string {
  if (run !== undefined) {
    const path = resolve(run);
    if (existsSync(path) && statSync(path).isDirectory()) {
      const file = join(path, SUMMARY_FILE);
      if (!existsSync(file)) throw new Error(`${path} holds no ${SUMMARY_FILE}: not a finished run`);
      return file;
    }
    if (!existsSync(path)) throw new Error(`${path} does not exist`);
    return path;
  }
  const found: string[] = [];
  summariesUnder(resolve(runsDir), 3, found);
  if (found.length === 0) throw new Error(`no finished run under ${resolve(runsDir)} (no ${SUMMARY_FILE}); run \`npm start\` first or name a run folder`);
  return found.map((f) => [f, statSync(f).mtimeMs] as const).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1))[0]![0];
}
