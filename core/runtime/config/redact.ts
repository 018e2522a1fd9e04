/**
 * Secrets (`sensitive: true` in the schema) never leave the process in clear: printed
 * config shows `[redacted]`, and the logger scrubs their values from every line.
 */
import type { RuntimeConfig } from '../../../config/schema.ts';
import { sensitivePaths } from './fields.ts';

export const REDACTED = '[redacted]';

function get(obj: unknown, path: string): unknown {
  let node = obj;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A deep copy of the config with every secret replaced by `[redacted]` (set or not, as convict does). */
export function redactConfig(config: RuntimeConfig): RuntimeConfig {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  for (const path of sensitivePaths()) {
    const parts = path.split('.');
    const parent = get(copy, parts.slice(0, -1).join('.'));
    if (typeof parent === 'object' && parent !== null) (parent as Record<string, unknown>)[parts.at(-1)!] = REDACTED;
  }
  return copy as unknown as RuntimeConfig;
}

/** The value shown for `path`: `[redacted]` for a secret. */
export function shownValue(path: string, value: unknown): unknown {
  return sensitivePaths().includes(path) ? REDACTED : value;
}

/** The non-empty secret values of a config, for the logger to scrub. */
export function secretValues(config: RuntimeConfig): string[] {
  return sensitivePaths()
    .map((p) => get(config, p))
    .filter((v): v is string => typeof v === 'string' && v.length > 0);
}
