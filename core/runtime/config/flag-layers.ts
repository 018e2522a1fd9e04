/**
 * The two layers that do not come from files: environment variables and `--set a.b=c`.
 * Each yields, per dotted path, the raw text and where it came from; the loader validates
 * them like a file layer.
 */
import { readFileSync } from 'node:fs';
import { didYouMean } from '../spec/suggest.ts';
import { configField, configFields } from './fields.ts';
import type { ConfigLoadIssue, ConfigOrigin } from './origin.ts';

export interface RawEntry {
  readonly path: string;
  readonly value: string;
  readonly origin: ConfigOrigin;
}

export interface RawLayer {
  readonly entries: readonly RawEntry[];
  readonly issues: readonly ConfigLoadIssue[];
}

/**
 * Each field's variable (`SLUICE_CHECKPOINT_INTERVAL`). A secret may instead be read from
 * the file named by `<VAR>_FILE` (mounted secrets), with trailing newlines removed.
 */
export function envLayer(env: Readonly<Record<string, string | undefined>>): RawLayer {
  const entries: RawEntry[] = [];
  const issues: ConfigLoadIssue[] = [];
  for (const field of configFields()) {
    if (!field.env) continue;
    const direct = env[field.env];
    if (direct !== undefined) {
      entries.push({ path: field.path, value: direct, origin: { kind: 'env', name: field.env } });
      continue;
    }
    const fileVar = `${field.env}_FILE`;
    const file = field.sensitive ? env[fileVar] : undefined;
    if (file === undefined) continue;
    try {
      const value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      entries.push({ path: field.path, value, origin: { kind: 'env', name: fileVar, file } });
    } catch (error) {
      issues.push({
        code: 'E_RUNTIME_CONFIG',
        severity: 'error',
        origin: { kind: 'env', name: fileVar },
        configPath: field.path,
        message: `cannot read the secret file: ${(error as Error).message}`,
      });
    }
  }
  return { entries, issues };
}

/** `--set checkpoint.interval=30s`, repeatable; the last one for a path wins. */
export function setLayer(sets: readonly string[]): RawLayer {
  const entries: RawEntry[] = [];
  const issues: ConfigLoadIssue[] = [];
  const known = configFields().map((f) => f.path);
  for (const flag of sets) {
    const eq = flag.indexOf('=');
    if (eq <= 0) {
      // Not `path=value`: it may be a secret typed without its key, so only a dotted path is echoed.
      const origin: ConfigOrigin = { kind: 'set', flag: /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/.test(flag) ? flag : '…' };
      issues.push({ code: 'E_USAGE', severity: 'error', origin, configPath: '', message: 'expected --set <path>=<value>, e.g. --set log.level=debug' });
      continue;
    }
    const path = flag.slice(0, eq).trim();
    const field = configField(path);
    // The origin names the flag; its value only when it is no secret (and the key is known,
    // since a mistyped key of a secret carries the secret too).
    const origin: ConfigOrigin = { kind: 'set', flag: field && !field.sensitive ? flag : path };
    if (!field) {
      issues.push({
        code: 'E_USAGE',
        severity: 'error',
        origin,
        configPath: path,
        message: `unknown config key '${path}'${didYouMean(path, known)}`,
      });
      continue;
    }
    entries.push({ path, value: flag.slice(eq + 1), origin });
  }
  return { entries, issues };
}
