/**
 * `flagship_ui`: the `flagship` scenario (bench/flagship.ts) with the web UI on and a page
 * open: `sluice run … --ui` (the observer ticking once a second, ui.json written each tick,
 * the report sink keeping the dashboard history and writing dashboard.json) and one
 * client reading the server-sent events, as an open job page does. The client runs in this
 * process, so its CPU counts against the job: the figure is an upper bound of the UI's
 * cost. Compare with `flagship` in the same `npm run bench -- --only flagship,flagship_ui`.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Measure } from './measure.ts';
import type { RunResult, ScenarioOptions } from './scenario.ts';

const ROOT = resolve(import.meta.dirname, '..');

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer().once('error', fail).listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

/** An open page: reads `/api/events` until the server goes away; counts the snapshots. */
async function openPage(port: number, stop: AbortSignal): Promise<number> {
  let snapshots = 0;
  while (!stop.aborted) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/events`, { signal: stop });
      const reader = res.body!.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return snapshots;
        snapshots += (new TextDecoder().decode(value).match(/^event: snapshot$/gm) ?? []).length;
      }
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return snapshots;
}

export async function flagshipUi(options: ScenarioOptions): Promise<RunResult> {
  const runs = mkdtempSync(join(tmpdir(), 'sluice-bench-flagship-ui-'));
  const port = await freePort();
  process.env.RUNS_DIR = runs;
  process.env.RUN_ID = 'bench';
  const fresh = (await import(pathToFileURL(join(ROOT, 'scripts/build-freshness.mjs')).href)) as { buildIsFresh(): boolean };
  if (!fresh.buildIsFresh()) {
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  const { main } = (await import(pathToFileURL(join(ROOT, 'dist/core/cli/main.js')).href)) as { main(argv: string[]): Promise<number> };
  const measure = new Measure();
  const stop = new AbortController();
  try {
    measure.start();
    const page = openPage(port, stop.signal);
    const code = await main(['run', join(ROOT, 'pipelines/experiment_analytics.yaml'), '--profile', 'embedded', '--events', String(options.events), '--ui', String(port)]);
    const m = measure.stop();
    stop.abort();
    const seen = await page;
    if (code !== 0) throw new Error(`sluice run exited ${code}`);
    if (seen === 0) throw new Error('the page saw no snapshot');
    return { ...m, events: options.events, driver: 'engine' };
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
}
