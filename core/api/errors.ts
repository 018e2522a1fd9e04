/**
 * Coded errors. Every error Sluice reports has a stable code (documented in
 * docs/errors.md; a test keeps the list, the docs and this file in sync) and, where it
 * comes from a pipeline file, a location: `file:line:col` and the config path.
 */

export const ERROR_CODES = {
  E_YAML_SYNTAX: 'The pipeline file is not valid YAML.',
  E_LIMIT: 'An input is over a size limit (a pipeline file); the message names the limit and its setting.',
  E_CONFIG_INVALID: 'A config value does not match its field spec.',
  E_UNKNOWN_KEY: 'A key that no spec declares.',
  E_MISSING_FIELD: 'A required field is missing.',
  E_UNKNOWN_PLUGIN: 'No loaded plugin has that kind and name.',
  E_UNKNOWN_INPUT: 'An input names no source, operator or named output.',
  E_DUPLICATE_ID: 'Two blocks share one id.',
  E_CYCLE: 'The operator graph has a cycle.',
  E_KEYING: 'Keys of a keyed operator or a join do not line up.',
  E_CHANGELOG: 'An append-only stateful operator is fed by an upsert stream.',
  E_EXPR: 'A CEL expression does not parse or type-check.',
  E_ENV_UNSET: 'A ${VAR} without default names an unset environment variable.',
  E_PROFILE: 'A profile is unknown or does not fit the pipeline.',
  E_PLUGIN_NOT_FOUND: 'A package named under `plugins:` cannot be imported.',
  E_PLUGIN_PATH: 'An entry under `plugins:` is a path or not a valid package name, and paths were not allowed.',
  E_PLUGIN_VERSION: 'A plugin package requires an API version this runtime does not provide.',
  E_PLUGIN_CLASH: 'Two plugins register the same kind and name.',
  E_PLUGIN_INVALID: 'A plugin package exports no valid plugin definition.',
  E_PLUGIN_INIT: 'A plugin threw while initialising.',
  E_PLUGIN_FAILED: 'A plugin failed as a whole while running.',
  E_SOURCE_INPUT: 'An input a source reads is missing or was replaced; a restart cannot fix it, so the job fails at once.',
  E_STATE_BUDGET: 'An operator holds more keys in keyed state than its budget (`state.max_keys`).',
  E_CHECKPOINT: 'A checkpoint could not be written or restored.',
  E_CANCELLED: 'A job or one of its tasks was cancelled: it stopped at once, without a final checkpoint.',
  E_TASKS: 'A job cannot run as tasks (`job.tasks`): no Kafka source, or its topics differ in partition count.',
  E_STATE_WITHOUT_CHECKPOINT: 'Committed source positions exist but no checkpoint does (use --reset-state).',
  E_SAVEPOINT: 'A savepoint cannot be taken, found or deleted.',
  E_SAVEPOINT_MISMATCH: 'A savepoint does not fit the pipeline: state of a removed operator, or a state whose shape changed.',
  E_SINK_PERMANENT: 'A sink rejected records permanently.',
  E_SINK_TRANSIENT: 'A sink failed in a way that a retry may fix.',
  E_RECORD: 'One record failed; it goes to the dead-letter output.',
  E_RUNTIME_CONFIG: 'The runtime configuration is invalid.',
  E_USAGE: 'The command line is invalid.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A place in a pipeline or config file. Line and column are 1-based. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Config path, dotted: `sinks.results.table`. */
  readonly path?: string;
}

export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.col}${loc.path ? `, ${loc.path}` : ''}`;
}

export class SluiceError extends Error {
  readonly code: ErrorCode;
  readonly location: SourceLocation | undefined;
  constructor(code: ErrorCode, message: string, options: { location?: SourceLocation; cause?: unknown } = {}) {
    super(options.location ? `${message} (${formatLocation(options.location)})` : message, { cause: options.cause });
    this.name = 'SluiceError';
    this.code = code;
    this.location = options.location;
  }
}

/**
 * Thrown by a sink's `write` when retrying may succeed (a timeout, a 5xx, a connection
 * refused). The runtime retries the batch with back-off and jitter while the job
 * back-pressures; nothing is dead-lettered.
 */
export class TransientSinkError extends SluiceError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('E_SINK_TRANSIENT', message, options);
    this.name = 'TransientSinkError';
  }
}

/**
 * Thrown by a sink's `write` when the whole batch can never be written (a 4xx, a schema
 * the target rejects). Its records go to the dead-letter output and the job goes on. To
 * reject single records, return them from `write` instead.
 */
export class PermanentSinkError extends SluiceError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('E_SINK_PERMANENT', message, options);
    this.name = 'PermanentSinkError';
  }
}

/**
 * Thrown by a plugin while handling one record: that record is dead-lettered with this
 * error's `reason` and the job goes on. Any other exception thrown while processing a
 * record is treated the same way with reason `plugin_error`.
 */
export class RecordError extends SluiceError {
  readonly reason: string;
  constructor(reason: string, message: string, options: { cause?: unknown } = {}) {
    super('E_RECORD', message, options);
    this.name = 'RecordError';
    this.reason = reason;
  }
}

/** What a plugin's own error code looks like: `UNKNOWN_COUNTRY`. */
export const PLUGIN_ERROR_CODE = /^[A-Z][A-Z0-9_]*$/;

/**
 * An error of a plugin's own, with a code the plugin declares in its definition's `errors`
 * (`errors: { UNKNOWN_COUNTRY: 'The record's country code is in no table.' }`), shown by
 * `sluice plugins docs`. The code is qualified by the plugin's name, `geo_lookup.UNKNOWN_COUNTRY`:
 * that is the dead-letter `reason` when it is thrown (or passed to `ctx.fail`) for one record,
 * and it leads the message, so a job that fails on it says which plugin and which code.
 *
 *   throw new PluginError('geo_lookup', 'UNKNOWN_COUNTRY', `no country '${code}'`);
 */
export class PluginError extends RecordError {
  /** The plugin's name. */
  readonly plugin: string;
  /** The code as declared (`UNKNOWN_COUNTRY`); `reason` is the qualified one. */
  readonly pluginCode: string;
  constructor(plugin: string, code: string, message: string, options: { cause?: unknown } = {}) {
    if (!PLUGIN_ERROR_CODE.test(code)) throw new Error(`plugin error code '${code}' of ${plugin} is not UPPER_SNAKE_CASE`);
    super(`${plugin}.${code}`, `${plugin}.${code}: ${message}`, options);
    this.name = 'PluginError';
    this.plugin = plugin;
    this.pluginCode = code;
  }
}
