/**
 * Runs a benchmark pipeline file: compiled with `compilePipeline` and the built-in
 * plugins, then run by the engine's `runJob` when the engine exports it, else by the
 * operator-host driver (`host.ts`). Only the run is measured, not compiling.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compilePipeline } from '../../core/runtime/graph/index.ts';
import type { CompiledPipeline } from '../../core/runtime/graph/types.ts';
import { builtinRegistry } from '../../core/runtime/plugins/index.ts';
import { Measure } from '../measure.ts';
import type { RunResult, ScenarioOptions } from '../scenario.ts';
import { runWithHosts } from './host.ts';
import { SampledMemoryBackend } from './state-sampler.ts';

const BENCH_DIR = resolve(import.meta.dirname, '..');

export async function compileBenchPipeline(name: string, options: ScenarioOptions): Promise<CompiledPipeline> {
  const file = `bench/pipelines/${name}.yaml`;
  const env = { ...process.env, BENCH_EVENTS: String(options.events), BENCH_KEYS: String(options.keys) };
  const result = compilePipeline({ file: resolve(BENCH_DIR, '..', file), env, plugins: await builtinRegistry() });
  if (!result.pipeline) {
    throw new Error(`${file} does not compile:\n${result.issues.map((i) => `  ${i.line}:${i.col} ${i.code} ${i.message}`).join('\n')}`);
  }
  return result.pipeline;
}

type RunJob = (pipeline: CompiledPipeline, options: Record<string, unknown>) => Promise<{
  status: string;
  error?: Error;
  recordsIn: number;
  stages: Record<string, { out: number }>;
}>;

/** The engine's `runJob`, when `core/runtime/engine` exports it. */
async function findRunJob(): Promise<RunJob | undefined> {
  if (process.env.BENCH_DRIVER === 'host') return undefined;
  try {
    const engine = (await import(pathToFileURL(resolve(BENCH_DIR, '../core/runtime/engine/index.ts')).href)) as { runJob?: RunJob };
    return typeof engine.runJob === 'function' ? engine.runJob : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

export async function runBenchPipeline(name: string, options: ScenarioOptions): Promise<RunResult> {
  const pipeline = await compileBenchPipeline(name, options);
  const backend = new SampledMemoryBackend();
  const runJob = await findRunJob();
  const sinkId = pipeline.sinks[0]?.id;
  const measure = new Measure();
  if (runJob) {
    measure.start();
    const result = await runJob(pipeline, { stateBackend: backend, checkpoint: { interval: 0, store: null }, restart: { maxAttempts: 0 } });
    const m = measure.stop();
    if (result.status !== 'finished') throw new Error(`${name}: job ${result.status}: ${result.error?.message ?? ''}`);
    return { ...m, events: result.recordsIn, driver: 'engine', ...backend.peak(), ...(sinkId ? { records_out: result.stages[sinkId]?.out ?? 0 } : {}) };
  }
  measure.start();
  const result = await runWithHosts(pipeline, { backend });
  const m = measure.stop();
  return { ...m, events: result.events, driver: 'host', ...backend.peak(), records_out: result.recordsOut };
}
