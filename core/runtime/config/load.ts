/**
 * Loads the runtime config layer by layer — schema defaults < `config/default.yaml` <
 * `config/<NODE_ENV>.yaml` < environment variables < `--set` — validating each on its own
 * so every problem names its file:line:col (or variable, or flag) and the field's doc.
 * A value that fails validation is left out (the layer below it stays in force) and
 * reported; callers refuse to run when an error was reported.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newRuntimeConfig } from '../../../config/schema.ts';
import type { RuntimeConfig } from '../../../config/schema.ts';
import { didYouMean } from '../spec/suggest.ts';
import { configField, configFields, fieldHint } from './fields.ts';
import { envLayer, setLayer } from './flag-layers.ts';
import type { RawLayer } from './flag-layers.ts';
import type { ConfigLoadIssue, ConfigOrigin } from './origin.ts';
import { nest, validateLayer } from './validate-layer.ts';
import { readYamlLayer } from './yaml-layer.ts';

export interface LoadRuntimeConfigOptions {
  /** Environment variables; `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `a.b=c` texts of `--set` flags, in command-line order. */
  readonly sets?: readonly string[];
  /** Working directory, for finding `config/` and showing paths; `process.cwd()` by default. */
  readonly cwd?: string;
  /** Selects `config/<nodeEnv>.yaml`; `env.NODE_ENV`, else `development`, by default. */
  readonly nodeEnv?: string;
  /**
   * Folder of the YAML layers. By default `<cwd>/config` when it holds a `default.yaml`,
   * else the runtime's own `config/`.
   */
  readonly configDir?: string;
}

export interface LoadedRuntimeConfig {
  readonly config: RuntimeConfig;
  /** Where each effective value came from, by dotted path. */
  readonly sources: Readonly<Record<string, ConfigOrigin>>;
  readonly issues: readonly ConfigLoadIssue[];
  /** The YAML files read, as shown in messages. */
  readonly files: readonly string[];
}

const OWN_CONFIG_DIR = fileURLToPath(new URL('../../../config/', import.meta.url));

function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

export function loadRuntimeConfig(options: LoadRuntimeConfigOptions = {}): LoadedRuntimeConfig {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  const nodeEnv = options.nodeEnv ?? env['NODE_ENV'] ?? 'development';
  const local = join(cwd, 'config');
  const configDir = options.configDir
    ? resolve(cwd, options.configDir)
    : existsSync(join(local, 'default.yaml')) ? local : OWN_CONFIG_DIR;

  const issues: ConfigLoadIssue[] = [];
  const effective = new Map<string, { value: unknown; origin: ConfigOrigin }>();
  const defaults = newRuntimeConfig();
  for (const field of configFields()) effective.set(field.path, { value: defaults.get(field.path as never), origin: { kind: 'default' } });

  const files: string[] = [];
  for (const name of ['default.yaml', `${nodeEnv}.yaml`]) {
    const path = join(configDir, name);
    if (!existsSync(path)) continue;
    const file = shown(cwd, path);
    files.push(file);
    const layer = readYamlLayer(path, file);
    issues.push(...layer.issues);
    const { leaves, problems } = validateLayer(layer.values);
    for (const p of problems) {
      const pos = (p.kind === 'unknown' ? layer.keys.get(p.path) : layer.valuesAt.get(p.path) ?? layer.keys.get(p.path)) ?? { line: 1, col: 1 };
      const suggestion = p.kind === 'unknown' ? didYouMean(p.path, configFields().map((f) => f.path)) : '';
      issues.push({
        code: 'E_RUNTIME_CONFIG',
        severity: 'error',
        origin: { kind: 'file', file, ...pos },
        configPath: p.path,
        message: p.message + suggestion,
        ...hintFor(p.path),
      });
    }
    for (const [path, value] of leaves) {
      const pos = layer.valuesAt.get(path) ?? { line: 1, col: 1 };
      const origin: ConfigOrigin = { kind: 'file', file, ...pos };
      effective.set(path, { value, origin });
      if (configField(path)?.sensitive && value !== '') {
        issues.push({
          code: 'E_RUNTIME_CONFIG',
          severity: 'warning',
          origin,
          configPath: path,
          message: `a secret written in a file; set ${configField(path)?.env ?? 'its variable'} in the environment instead`,
        });
      }
    }
  }

  for (const raw of [envLayer(env), setLayer(options.sets ?? [])]) applyRawLayer(raw, effective, issues);

  const final = newRuntimeConfig();
  final.load(nest([...effective].map(([path, { value }]) => [path, value] as const)));
  final.validate({ allowed: 'strict' });
  const sources: Record<string, ConfigOrigin> = {};
  for (const [path, { origin }] of effective) sources[path] = origin;
  return { config: final.getProperties(), sources, issues, files };
}

function hintFor(path: string): { hint?: string } {
  const hint = fieldHint(path);
  return hint ? { hint } : {};
}

function applyRawLayer(
  raw: RawLayer,
  effective: Map<string, { value: unknown; origin: ConfigOrigin }>,
  issues: ConfigLoadIssue[],
): void {
  issues.push(...raw.issues);
  // The last entry for a path wins (a repeated --set), as on any command line.
  const last = new Map(raw.entries.map((e) => [e.path, e]));
  const { leaves, problems } = validateLayer(nest([...last.values()].map((e) => [e.path, e.value] as const)));
  for (const p of problems) {
    const entry = last.get(p.path);
    issues.push({
      code: 'E_RUNTIME_CONFIG',
      severity: 'error',
      origin: entry?.origin ?? { kind: 'default' },
      configPath: p.path,
      message: p.message,
      ...hintFor(p.path),
    });
  }
  for (const [path, value] of leaves) effective.set(path, { value, origin: last.get(path)!.origin });
}

/** True when an issue must stop a run. */
export function hasConfigErrors(issues: readonly ConfigLoadIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}
