/**
 * Resolves `EngineOptions` against the job container: explicit options first, then the
 * container's services and runtime config, then the defaults of config/default.yaml.
 */
import type { DependencyContainer } from 'tsyringe';
import { ManualClock, services, systemClock } from '../../api/index.ts';
import type { CheckpointStore, Clock, ExpressionCompiler, Logger, PipelineShape, ServiceRef, StateBackend, TaskSlice } from '../../api/index.ts';
import type { RuntimeConfig } from '../../../config/schema.ts';
import { createTelemetry } from '../../telemetry/index.ts';
import type { Telemetry } from '../../telemetry/index.ts';
import { createExpressionCompiler } from '../expr/index.ts';
import { MemoryStateBackend } from '../state/index.ts';
import { registerService, runtimeServices } from '../di/index.ts';
import type { CompiledPipeline } from '../graph/types.ts';
import { createCheckpointStore, taskStoreName } from '../checkpoint/create-store.ts';
import { pipelineShape } from '../checkpoint/pipeline-shape.ts';
import type { EngineOptions, InstanceOverrides, CheckpointInfo, RunningJob } from './options.ts';
import { DEFAULT_SINK_RETRY } from './sink-task.ts';
import type { SinkRetryOptions } from './sink-task.ts';
import type { MiniBatchSettings } from './held-output.ts';
import { Readiness } from './readiness.ts';
import type { StageRef } from './errors.ts';

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };

/** Everything a job attempt needs, resolved once per `runJob`. */
export interface EngineSettings {
  readonly pipeline: CompiledPipeline;
  readonly container: DependencyContainer | undefined;
  readonly clock: Clock;
  /** Moves the logical clock after an empty poll; undefined with a real clock. */
  readonly logicalStep: ((ms: number) => void) | undefined;
  readonly logicalStepMs: number;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  /** True when the job created the telemetry and must shut it down. */
  readonly ownsTelemetry: boolean;
  readonly backend: StateBackend;
  readonly store: CheckpointStore | undefined;
  readonly expressions: ExpressionCompiler;
  /** Keyed-state budget per operator in keys (0: none). */
  readonly stateMaxKeys: number;
  readonly batchSize: number;
  readonly queueCapacity: number;
  readonly idlePollMs: number;
  readonly stallMs: number;
  readonly miniBatch: MiniBatchSettings;
  readonly checkpoint: { interval: number; timeout: number; tolerableFailures: number; retain: number; unaligned: boolean };
  readonly restart: { maxAttempts: number; initialBackoff: number; maxBackoff: number };
  readonly sinkRetry: SinkRetryOptions;
  readonly maxEvents: number | undefined;
  readonly resetState: boolean;
  readonly task: TaskSlice | undefined;
  readonly alignmentGroup: EngineOptions['alignmentGroup'];
  /** Readiness of this job: `/ready`, or the caller's `onReady` (a task of a process). */
  readonly setReady: (ready: boolean) => void;
  /** An operator entered or left a stall it cannot resolve without overrunning its bound (readiness.ts). */
  readonly setStalled: (stage: StageRef, stalled: boolean) => void;
  /** Recorded in every checkpoint's manifest; checked against a savepoint's. */
  readonly shape: PipelineShape;
  readonly fromSavepoint: string | undefined;
  readonly allowDroppedState: boolean;
  readonly signal: AbortSignal | undefined;
  readonly overrides: InstanceOverrides;
  readonly onCheckpoint: ((info: CheckpointInfo) => void) | undefined;
  readonly onStart: ((job: RunningJob) => void) | undefined;
  readonly onAttemptFailed: EngineOptions['onAttemptFailed'];
  /** Where the job serves `/metrics` and `/ready`; undefined: not served by the job. */
  readonly metricsEndpoint: { readonly host: string; readonly port: number } | undefined;
}

function fromContainer<T>(container: DependencyContainer | undefined, ref: ServiceRef<T>): T | undefined {
  if (!container || !container.isRegistered(ref.id, true)) return undefined;
  return container.resolve<T>(ref.id);
}

/** Explicit option first (`null`: off); else the config's `metrics.port`, where 0 is off. */
function metricsEndpoint(options: EngineOptions, config: RuntimeConfig | undefined): EngineSettings['metricsEndpoint'] {
  if (options.metrics !== undefined) return options.metrics ?? undefined;
  if (!config || !(config.metrics.port > 0)) return undefined;
  return { host: config.metrics.host, port: config.metrics.port };
}

/** Telemetry as the runtime config's `tracing` section asks (none without a config). */
export function configuredTelemetry(serviceName: string, config: RuntimeConfig | undefined): Telemetry {
  return createTelemetry({
    serviceName,
    exporter: config?.tracing.exporter ?? 'none',
    ...(config?.tracing.endpoint ? { endpoint: config.tracing.endpoint } : {}),
    sampleRatio: config?.tracing.sample_ratio ?? 1,
    checkpointSampleRatio: config?.tracing.checkpoint_sample_ratio ?? 1,
  });
}

export async function resolveSettings(pipeline: CompiledPipeline, options: EngineOptions): Promise<EngineSettings> {
  const container = options.container;
  const config = fromContainer(container, runtimeServices.config) as RuntimeConfig | undefined;
  const job = pipeline.name;
  const logger = options.logger ?? fromContainer(container, services.logger) ?? silentLogger;
  const clock = options.clock ?? fromContainer(container, services.clock) ?? systemClock;
  const stepMs = options.logicalClockStep ?? 10;
  const logicalStep = clock instanceof ManualClock && stepMs > 0 ? (ms: number) => clock.advance(ms) : undefined;

  const ownsTelemetry = options.telemetry === undefined;
  const telemetry = options.telemetry ?? configuredTelemetry(job, config);

  const backend = options.stateBackend ?? fromContainer(container, services.stateBackend) ?? new MemoryStateBackend();
  let store: CheckpointStore | undefined;
  if (options.checkpoint?.store !== undefined) store = options.checkpoint.store ?? undefined;
  else store = fromContainer(container, services.checkpointStore) ?? (config ? await createCheckpointStore(config, options.task ? taskStoreName(job, options.task) : job, logger) : undefined);

  if (container) {
    // Plugins that declare these services get the job's own.
    registerService(container, services.clock, clock);
    registerService(container, services.stateBackend, backend);
    registerService(container, services.tracer, telemetry.tracer);
    registerService(container, services.meter, telemetry.meter);
    if (store) registerService(container, services.checkpointStore, store);
  }

  const onReady = options.onReady;
  const readiness = new Readiness(onReady ? (ready) => onReady(ready) : (ready, detail) => telemetry.metricsServer?.setReady(ready, detail));
  const cp = options.checkpoint ?? {};
  const rs = options.restart ?? {};
  return {
    pipeline,
    container,
    clock,
    logicalStep,
    logicalStepMs: stepMs,
    logger,
    telemetry,
    ownsTelemetry,
    backend,
    store,
    expressions: options.expressions ?? createExpressionCompiler({ maxCost: config?.engine.cel_max_cost }),
    stateMaxKeys: options.stateMaxKeys ?? config?.state.max_keys ?? 0,
    batchSize: options.batchSize ?? config?.engine.batch_size ?? 1024,
    queueCapacity: options.queueCapacity ?? config?.engine.queue_capacity ?? 8,
    idlePollMs: options.idlePollMs ?? 5,
    stallMs: 100,
    miniBatch: {
      maxRows: options.miniBatch?.maxRows ?? config?.engine.mini_batch.max_rows ?? 10_000,
      maxDelayMs: options.miniBatch?.maxDelayMs ?? config?.engine.mini_batch.max_delay ?? 100,
    },
    checkpoint: {
      interval: cp.interval ?? config?.checkpoint.interval ?? 10_000,
      timeout: cp.timeout ?? config?.checkpoint.timeout ?? 60_000,
      tolerableFailures: cp.tolerableFailures ?? config?.checkpoint.tolerable_failures ?? 3,
      retain: cp.retain ?? config?.checkpoint.retain ?? 3,
      unaligned: cp.unaligned ?? config?.checkpoint.unaligned ?? true,
    },
    restart: {
      maxAttempts: rs.maxAttempts ?? config?.restart.max_attempts ?? 3,
      initialBackoff: rs.initialBackoff ?? config?.restart.backoff.initial ?? 1_000,
      maxBackoff: rs.maxBackoff ?? config?.restart.backoff.max ?? 60_000,
    },
    sinkRetry: { ...DEFAULT_SINK_RETRY, ...options.sinkRetry },
    maxEvents: options.maxEvents,
    resetState: options.resetState ?? false,
    task: options.task,
    alignmentGroup: options.alignmentGroup,
    setReady: (ready) => readiness.setRunning(ready),
    setStalled: (stage, stalled) => readiness.setStalled(stage, stalled),
    shape: pipelineShape(pipeline),
    fromSavepoint: options.fromSavepoint,
    allowDroppedState: options.allowDroppedState ?? false,
    signal: options.signal,
    overrides: options.overrides ?? {},
    onCheckpoint: options.onCheckpoint,
    onStart: options.onStart,
    onAttemptFailed: options.onAttemptFailed,
    metricsEndpoint: metricsEndpoint(options, config),
  };
}
