/** The job container and service wiring; see core/runtime/di/. Kept here so either path imports it. */
export * from './di/index.ts';
