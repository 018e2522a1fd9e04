/**
 * The flagship as a user runs it (`npm start -- --events N`): the `sluice run` command on
 * pipelines/experiment_analytics.yaml, embedded profile, every output on (results in SQLite,
 * archive, late and dead-letter files, report, summary), in this process so its CPU time is
 * measured from the command's start (config, compile, plugin loading) to its exit.
 * It runs the compiled build, as `npm start` does (built first when stale). The run folder
 * goes to a temporary directory that is removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Measure } from './measure.ts';
import type { RunResult, ScenarioOptions } from './scenario.ts';

const ROOT = resolve(import.meta.dirname, '..');

export async function flagship(options: ScenarioOptions): Promise<RunResult> {
  const runs = mkdtempSync(join(tmpdir(), 'sluice-bench-flagship-'));
  process.env.RUNS_DIR = runs;
  process.env.RUN_ID = 'bench';
  const fresh = (await import(pathToFileURL(join(ROOT, 'scripts/build-freshness.mjs')).href)) as { buildIsFresh(): boolean };
  if (!fresh.buildIsFresh()) {
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  const { main } = (await import(pathToFileURL(join(ROOT, 'dist/core/cli/main.js')).href)) as { main(argv: string[]): Promise<number> };
  const measure = new Measure();
  try {
    measure.start();
    const code = await main(['run', join(ROOT, 'pipelines/experiment_analytics.yaml'), '--profile', 'embedded', '--events', String(options.events)]);
    const m = measure.stop();
    if (code !== 0) throw new Error(`sluice run exited ${code}`);
    return { ...m, events: options.events, driver: 'engine' };
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
}
