/** Dependency injection: the job container, service registration and plugin deps. */
export { bind, createJobContainer, registerService, resolveDeps, resolveService, runtimeServices } from './container.ts';
export type { DependencyContainer, DepsRequester, JobContainerOptions, ServiceBinding } from './container.ts';
export { createLogger } from './logger.ts';
export type { LoggerOptions } from './logger.ts';
