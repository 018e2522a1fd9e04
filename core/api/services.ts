/**
 * Services the runtime provides to plugins. A plugin declares the ones it needs
 * (`deps: { clock: services.clock }`) and receives them typed in `create`; the runtime
 * maps each reference to a tsyringe token in the job's child container, so a test swaps a
 * service by registering another instance under the same token.
 */
import type { Meter, Tracer } from '@opentelemetry/api';
import type { Clock } from './time.ts';
import type { StateBackend } from './state.ts';
import type { CheckpointStore } from './checkpoint.ts';

/** A typed reference to a service; `id` is also its tsyringe token. */
export interface ServiceRef<T> {
  readonly id: string;
  /** Phantom: the service's type. Never set. */
  readonly __type?: T;
}

export function serviceRef<T>(id: string): ServiceRef<T> {
  return Object.freeze({ id });
}

export type Deps<D extends Record<string, ServiceRef<unknown>>> = {
  readonly [K in keyof D]: D[K] extends ServiceRef<infer T> ? T : never;
};

/** Structured logger. Attributes are redacted by the runtime where they hold secrets. */
export interface Logger {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** The core services every job has. */
export const services = {
  /** Processing-time clock (logical in tests and on the embedded default). */
  clock: serviceRef<Clock>('sluice.clock'),
  logger: serviceRef<Logger>('sluice.logger'),
  /** OpenTelemetry tracer of the job; the runtime already spans every operator. */
  tracer: serviceRef<Tracer>('sluice.tracer'),
  meter: serviceRef<Meter>('sluice.meter'),
  stateBackend: serviceRef<StateBackend>('sluice.stateBackend'),
  checkpointStore: serviceRef<CheckpointStore>('sluice.checkpointStore'),
} as const;
