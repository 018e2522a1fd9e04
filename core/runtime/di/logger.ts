/**
 * The job's structured logger: one JSON object per line on stderr, filtered by level, with
 * secrets scrubbed — by value (every non-empty secret of the runtime config, wherever it
 * appears in a message or attribute) and by key (`password`, `token`, `secret`, …).
 */
import type { Logger } from '../../api/index.ts';
import type { LogLevel } from '../../../config/schema.ts';
import { REDACTED } from '../config/redact.ts';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const SECRET_KEY = /pass(word)?|secret|token|api[_-]?key|credential|authorization/i;

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Values never written in clear. */
  readonly secrets?: readonly string[];
  /** Where lines go; stderr by default. */
  readonly write?: (line: string) => void;
  readonly bindings?: Readonly<Record<string, unknown>>;
  /** Wall-clock time for the `time` field; `Date.now` by default. */
  readonly now?: () => number;
}

function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

function scrub(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: scrubText(value.message, secrets), ...(code !== undefined ? { code } : {}) };
  }
  if (typeof value !== 'object' || value === null || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== '' ? REDACTED : scrub(v, secrets, depth + 1);
  return out;
}

/** Logging never throws over a value JSON cannot hold. */
function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = RANK[options.level];
  const secrets = (options.secrets ?? []).filter((s) => s.length > 0);
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? Date.now;
  const bindings = options.bindings ?? {};

  const log = (level: Exclude<LogLevel, 'silent'>, msg: string, attributes?: Record<string, unknown>): void => {
    if (RANK[level] < threshold) return;
    const entry = scrub({ ...bindings, ...attributes }, secrets) as Record<string, unknown>;
    const line = { time: new Date(now()).toISOString(), level, msg: scrubText(msg, secrets), ...entry };
    write(`${JSON.stringify(line, jsonSafe)}\n`);
  };
  return {
    debug: (m, a) => log('debug', m, a),
    info: (m, a) => log('info', m, a),
    warn: (m, a) => log('warn', m, a),
    error: (m, a) => log('error', m, a),
    child: (more) => createLogger({ ...options, bindings: { ...bindings, ...more } }),
  };
}
