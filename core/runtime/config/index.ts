/** The runtime config: loading with origins, redaction, formatting. */
export { loadRuntimeConfig, hasConfigErrors } from './load.ts';
export type { LoadRuntimeConfigOptions, LoadedRuntimeConfig } from './load.ts';
export { formatConfigIssue, formatOrigin } from './origin.ts';
export type { ConfigLoadIssue, ConfigOrigin } from './origin.ts';
export { redactConfig, secretValues, shownValue, REDACTED } from './redact.ts';
export { configFields, configField, fieldHint } from './fields.ts';
export type { ConfigField } from './fields.ts';
export type { RuntimeConfig, LogLevel } from '../../../config/schema.ts';
