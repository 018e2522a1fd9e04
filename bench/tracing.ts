/**
 * Tracing overhead (issue 13): the `filter_map` pipeline (generator → filter → map → null,
 * four spans per batch path) through `runJob` with batch traces off, at the production
 * sampling default (0.01) and at 1.0, spans exported over OTLP/HTTP to Jaeger
 * (`SLUICE_TRACING_ENDPOINT`, default http://127.0.0.1:4318; `scripts/services up`). The
 * measured section ends after the exporter flushed, so export CPU counts. Compare the three
 * scenarios' events per CPU-second from one `npm run bench -- --only tracing_off,tracing_0_01,tracing_1`.
 */
import { runJob } from '../core/runtime/engine/index.ts';
import { createTelemetry } from '../core/telemetry/index.ts';
import { compileBenchPipeline } from './drivers/pipeline.ts';
import { SampledMemoryBackend } from './drivers/state-sampler.ts';
import { Measure } from './measure.ts';
import type { RunResult, ScenarioOptions } from './scenario.ts';

/** `ratio` undefined: no exporter (batch spans are not even created). */
export function tracingOverhead(ratio: number | undefined): (o: ScenarioOptions) => Promise<RunResult> {
  return async (options) => {
    const pipeline = await compileBenchPipeline('filter_map', options);
    const telemetry = createTelemetry({
      serviceName: 'bench_tracing',
      ...(ratio === undefined ? {} : { exporter: 'otlp' as const, endpoint: process.env.SLUICE_TRACING_ENDPOINT ?? 'http://127.0.0.1:4318', sampleRatio: ratio }),
    });
    // The exporter loads its HTTP transport on its first export: once, before measuring, so
    // the figures are the steady per-batch cost (a warm-up span named like a checkpoint's
    // root, so sampled at checkpoint_sample_ratio 1 whatever the batch ratio, then a flush).
    if (ratio !== undefined) {
      telemetry.tracer.startSpan('checkpoint', { attributes: { 'bench.warm_up': true } }).end();
      await telemetry.flush();
    }
    const backend = new SampledMemoryBackend();
    const measure = new Measure();
    measure.start();
    const result = await runJob(pipeline, { telemetry, stateBackend: backend, checkpoint: { interval: 0, store: null }, restart: { maxAttempts: 0 } });
    await telemetry.flush();
    const m = measure.stop();
    await telemetry.shutdown();
    if (result.status !== 'finished') throw new Error(`tracing bench: job ${result.status}: ${result.error?.message ?? ''}`);
    return { ...m, events: result.recordsIn, driver: 'engine', records_out: result.stages['out']?.out ?? 0 };
  };
}
