/**
 * Shared by the web UI's browser tests: the embedded flagship run in this process with the
 * UI on (the pieces `sluice run --ui` puts together), Prometheus text read back per
 * operator, `sluice` spawned for the CLI paths, and where screenshots go.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../core/api/index.ts';
import { services } from '../../core/api/index.ts';
import type { CliIo } from '../../core/cli/io.ts';
import { loadPipeline } from '../../core/cli/pipeline.ts';
import { uiPagesOf } from '../../core/cli/contributed.ts';
import { loadJobConfig } from '../../core/cli/commands/job-config.ts';
import { createJobContainer } from '../../core/runtime/di/index.ts';
import { configuredTelemetry, startJob } from '../../core/runtime/engine/index.ts';
import type { JobHandle } from '../../core/runtime/engine/index.ts';
import type { MetricsServer } from '../../core/telemetry/index.ts';
import { startRunUi } from '../../core/ui/run-ui.ts';
import type { RunUi } from '../../core/ui/run-ui.ts';

export const REPO = new URL('../..', import.meta.url).pathname;
export const FLAGSHIP = join(REPO, 'pipelines/experiment_analytics.yaml');
/** Screenshots of the tests (README and docs/ui.md show copies from docs/images/). */
export const ARTIFACTS = process.env.SLUICE_TEST_ARTIFACTS ?? join(REPO, '.sluice/artifacts/browser');
mkdirSync(ARTIFACTS, { recursive: true });

export interface LiveJob {
  readonly job: JobHandle;
  readonly ui: RunUi;
  readonly metrics: MetricsServer;
  readonly folder: string;
}

/** The embedded flagship, `maxEvents` records, with `/metrics` and the UI on free loopback ports. */
export async function startFlagshipWithUi(maxEvents: number): Promise<LiveJob> {
  const runs = mkdtempSync(join(tmpdir(), 'sluice-ui-'));
  const io: CliIo = { out: () => undefined, err: (t) => void process.stderr.write(t), cwd: REPO, env: { ...process.env, RUNS_DIR: runs, RUN_ID: 'live' } };
  const { pipeline, registry } = await loadPipeline(FLAGSHIP, 'embedded', io);
  if (!pipeline) throw new Error('the flagship did not compile');
  const loaded = loadJobConfig(pipeline, ['log.level=warn'], io);
  if (typeof loaded === 'number') throw new Error('bad config');
  const container = createJobContainer(loaded.config, { job: pipeline.name });
  const telemetry = configuredTelemetry(pipeline.name, loaded.config);
  const metrics = await telemetry.serveMetrics('127.0.0.1', 0);
  const folder = join(runs, 'experiment_analytics', 'live');
  const logger = container.resolve<Logger>(services.logger.id);
  const ui = await startRunUi({ pipeline, config: loaded.config, telemetry, runId: 'live', folder, port: 0, logger, tickMs: 250, pages: uiPagesOf(registry) }, REPO);
  const job = startJob(pipeline, { container, telemetry, maxEvents, ...ui.hooks });
  return { job, ui, metrics, folder };
}

/** `name{…operator="id"…} value` lines of a Prometheus text, summed per operator. */
export function perOperator(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const op = /operator="([^"]*)"/.exec(line)?.[1];
    if (op === undefined) continue;
    out.set(op, (out.get(op) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

/** `sluice <args>` from the sources; resolves with the process once `pattern` shows on stderr. */
export function spawnSluice(args: string[], env: Record<string, string>, pattern: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray; stderr: () => string }> {
  const child = spawn(process.execPath, [join(REPO, 'bin/sluice.mjs'), ...args], { cwd: REPO, env: { ...process.env, SLUICE_FROM_SOURCE: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = pattern.exec(stderr);
      if (match) resolve({ child, match, stderr: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`sluice ${args.join(' ')} exited ${code} before printing ${pattern}:\n${stderr}`)));
  });
}

/** Runs `sluice <args>` to its end. */
export function runSluice(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(REPO, 'bin/sluice.mjs'), ...args], { cwd: REPO, env: { ...process.env, SLUICE_FROM_SOURCE: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}
