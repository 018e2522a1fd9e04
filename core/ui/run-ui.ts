/**
 * `sluice run --ui`: the job's observer, its snapshots recorded into the run folder, and the
 * UI server, started before the job and given to the engine through its hooks. Numbers come
 * from the job's own telemetry (the one `/metrics` serves), so the run owns that telemetry.
 */
import { join, resolve } from 'node:path';
import type { Logger } from '../api/index.ts';
import type { RuntimeConfig } from '../../config/schema.ts';
import type { CompiledPipeline, CompiledSink } from '../runtime/graph/types.ts';
import type { EngineOptions } from '../runtime/engine/options.ts';
import type { Telemetry } from '../telemetry/index.ts';
import { JobObserver } from './observer.ts';
import type { UiPageDefinition } from '../api/index.ts';
import { availablePages, readPageData } from './contributed-pages.ts';
import { SnapshotRecorder } from './run-folder.ts';
import { UiServer } from './server.ts';

export interface RunUiOptions {
  readonly pipeline: CompiledPipeline;
  readonly config: RuntimeConfig;
  readonly telemetry: Telemetry;
  readonly runId: string;
  readonly folder: string;
  /** Overrides `ui.port` (`--ui [port]`; 0: a free port). */
  readonly port: number;
  readonly logger: Logger;
  readonly tickMs?: number;
  /** Pages the pipeline's plugin packages contribute. */
  readonly pages?: readonly UiPageDefinition[];
}

export interface RunUi {
  readonly server: UiServer;
  readonly observer: JobObserver;
  /** The engine hooks the UI needs. */
  readonly hooks: Pick<EngineOptions, 'onCheckpoint' | 'onStart' | 'onAttemptFailed'>;
  /** The job ended: last snapshot written, server closed. */
  finish(status: string): Promise<void>;
}

const filePath = (sink: CompiledSink | undefined, cwd: string): string | undefined => {
  const p = sink?.plugin.name === 'file' ? (sink.config as { path?: unknown }).path : undefined;
  return typeof p === 'string' ? resolve(cwd, p) : undefined;
};

/** Links to each stage's spans in the Jaeger UI, by the span names the runtime gives them. */
export function jaegerLinks(pipeline: CompiledPipeline, base: string): Record<string, string> {
  const url = (operation: string) => `${base.replace(/\/+$/, '')}/search?service=${encodeURIComponent(pipeline.name)}&operation=${encodeURIComponent(operation)}`;
  return Object.fromEntries([
    ...pipeline.sources.map((s) => [s.id, url(`source ${s.id} poll`)]),
    ...pipeline.operators.map((o) => [o.id, url(`operator ${o.id}`)]),
    ...pipeline.sinks.map((s) => [s.id, url(`sink ${s.id} write`)]),
  ]);
}

export async function startRunUi(o: RunUiOptions, cwd: string): Promise<RunUi> {
  const { pipeline, config } = o;
  const observer = new JobObserver({
    pipeline,
    telemetry: o.telemetry,
    runId: o.runId,
    latePath: filePath(pipeline.late, cwd),
    deadLetterPath: filePath(pipeline.deadLetter, cwd),
    ...(config.tracing.exporter === 'otlp' ? { jaeger: jaegerLinks(pipeline, config.ui.jaeger_url) } : {}),
    pages: () => availablePages(o.folder, o.pages ?? []),
  });
  const recorder = new SnapshotRecorder(o.folder);
  observer.onSnapshot((s) => recorder.record(s));
  const server = await UiServer.start({
    host: config.ui.host,
    port: o.port,
    ...(config.ui.token ? { token: config.ui.token } : {}),
    feed: observer,
    pages: (o.pages ?? []).map((page) => ({ page, data: () => readPageData(o.folder, page) })),
  });
  await observer.tick();
  observer.start(o.tickMs);
  o.logger.info(`web UI on ${server.url().replace(/token=[^&]+/, 'token=…')}, run folder ${join(o.folder, 'ui.json')}`, { port: server.port });
  return {
    server,
    observer,
    hooks: {
      onCheckpoint: (info) => observer.checkpoint(info),
      onStart: () => observer.running(),
      onAttemptFailed: (attempt, error, restarting) => observer.attemptFailed(attempt, error, restarting),
    },
    async finish(status) {
      await observer.finish(status);
      await recorder.flush();
      await server.close();
    },
  };
}
