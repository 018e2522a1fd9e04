/**
 * Dependency injection with tsyringe: one child container per running job, the core
 * services registered under the string tokens of `services` (core/api/services.ts).
 *
 * Tokens are explicit strings, never emitted decorator metadata, so the wiring is the same
 * under tsc and under esbuild-based runners (tsx). tsyringe constructs the services lazily
 * (caching factories, one instance per job container); lifecycles (`init` in topological
 * order, `close` in reverse) are the runtime's (core/runtime/plugins/lifecycle.ts).
 */
import 'reflect-metadata';
import { container as rootContainer, instanceCachingFactory } from 'tsyringe';
import type { DependencyContainer } from 'tsyringe';
import { metrics, trace } from '@opentelemetry/api';
import { ManualClock, SluiceError, services, serviceRef, systemClock } from '../../api/index.ts';
import type { Clock, Deps, Logger, PluginKind, ServiceRef } from '../../api/index.ts';
import type { RuntimeConfig } from '../../../config/schema.ts';
import { secretValues } from '../config/redact.ts';
import { createLogger } from './logger.ts';

export type { DependencyContainer };

/** Runtime-internal services, for the engine (plugins cannot declare them: they are not in `services`). */
export const runtimeServices = {
  /** The job's validated runtime config. */
  config: serviceRef<RuntimeConfig>('sluice.runtime.config'),
  /** The job's name. */
  job: serviceRef<string>('sluice.runtime.job'),
} as const;

/** An instance to register under a service's token, replacing the default. */
export interface ServiceBinding<T = unknown> {
  readonly ref: ServiceRef<T>;
  readonly instance: T;
}

export function bind<T>(ref: ServiceRef<T>, instance: T): ServiceBinding<T> {
  return { ref, instance };
}

export interface JobContainerOptions {
  /** Job name: tracer and meter name, logger binding. `sluice` by default. */
  readonly job?: string;
  /** Instances that replace the defaults (a manual clock, a test logger, a state backend). */
  readonly overrides?: readonly ServiceBinding[];
  /** Where log lines go (stderr by default). */
  readonly logWrite?: (line: string) => void;
  /** Parent container; tsyringe's root by default. */
  readonly parent?: DependencyContainer;
}

/**
 * A child container for one job with clock, logger, tracer and meter registered. The
 * state backend and checkpoint store are registered by the engine (`registerService`)
 * once it has created them from `state.backend` and `checkpoint.store`.
 */
export function createJobContainer(config: RuntimeConfig, options: JobContainerOptions = {}): DependencyContainer {
  const job = options.job ?? 'sluice';
  const c = (options.parent ?? rootContainer).createChildContainer();
  registerService(c, runtimeServices.config, config);
  registerService(c, runtimeServices.job, job);
  c.register<Clock>(services.clock.id, {
    // A logical clock starts at 0 and moves only when the runtime advances it: runs repeat.
    useFactory: instanceCachingFactory<Clock>(() => (config.engine.clock === 'logical' ? new ManualClock(0) : systemClock)),
  });
  c.register<Logger>(services.logger.id, {
    useFactory: instanceCachingFactory<Logger>(() =>
      createLogger({
        level: config.log.level,
        secrets: secretValues(config),
        bindings: { job },
        ...(options.logWrite ? { write: options.logWrite } : {}),
      }),
    ),
  });
  // The telemetry module sets the global providers up; until it has, these are no-ops.
  c.register(services.tracer.id, { useFactory: instanceCachingFactory(() => trace.getTracer(job)) });
  c.register(services.meter.id, { useFactory: instanceCachingFactory(() => metrics.getMeter(job)) });
  for (const { ref, instance } of options.overrides ?? []) registerService(c, ref, instance);
  return c;
}

/** Registers `instance` under `ref`'s token in this container, shadowing any parent's. */
export function registerService<T>(container: DependencyContainer, ref: ServiceRef<T>, instance: T): void {
  container.register<T>(ref.id, { useValue: instance });
}

/** Resolves one service; a coded error when it is not registered. */
export function resolveService<T>(container: DependencyContainer, ref: ServiceRef<T>): T {
  if (!container.isRegistered(ref.id, true)) {
    throw new SluiceError('E_PLUGIN_INIT', `service '${ref.id}' is not registered in the job's container`);
  }
  return container.resolve<T>(ref.id);
}

/** Who asks for services, for the error message. */
export interface DepsRequester {
  readonly kind: PluginKind;
  /** Plugin name (`interval_join`). */
  readonly name: string;
  /** Block id in the pipeline, when there is one. */
  readonly id?: string;
}

/**
 * Maps a plugin's declared `deps` (`{ clock: services.clock }`) to the instances in the
 * job's container. Every missing service is named in one `E_PLUGIN_INIT` error.
 */
export function resolveDeps<D extends Record<string, ServiceRef<unknown>>>(
  container: DependencyContainer,
  deps: D | undefined,
  requester: DepsRequester,
): Deps<D> {
  const out: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [key, ref] of Object.entries(deps ?? {})) {
    if (container.isRegistered(ref.id, true)) out[key] = container.resolve(ref.id);
    else missing.push(`'${ref.id}' (deps.${key})`);
  }
  if (missing.length > 0) {
    const who = requester.id ? `${requester.kind} '${requester.id}' (plugin ${requester.name})` : `${requester.kind} plugin '${requester.name}'`;
    throw new SluiceError('E_PLUGIN_INIT', `${who} needs ${missing.join(', ')}, not registered in the job's container`);
  }
  return out as Deps<D>;
}
