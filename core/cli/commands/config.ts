/**
 * `sluice config [--set k=v]…`: the effective runtime configuration, each value with the
 * layer it came from (default, file:line:col, env VAR, --set), secrets redacted.
 */
import { formatDuration } from '../../api/index.ts';
import { configFields, formatConfigIssue, formatOrigin, hasConfigErrors, loadRuntimeConfig, shownValue } from '../../runtime/config/index.ts';
import type { LoadedRuntimeConfig } from '../../runtime/config/index.ts';
import { EXIT } from '../exit-codes.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { writeLines } from '../io.ts';

function valueAt(config: object, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], config);
}

/** Durations as written in the files (`10s`), strings bare, the rest as JSON. */
function display(format: string | undefined, value: unknown): string {
  if (format === 'duration' && typeof value === 'number') return formatDuration(value);
  return typeof value === 'string' ? (value === '' ? '""' : value) : JSON.stringify(value);
}

/** One line per field: `path  value  origin`, columns aligned. */
export function formatEffectiveConfig(loaded: LoadedRuntimeConfig): string[] {
  const rows = configFields().map((f) => {
    const value = shownValue(f.path, valueAt(loaded.config, f.path));
    return [f.path, f.sensitive ? String(value) : display(f.format, value), formatOrigin(loaded.sources[f.path] ?? { kind: 'default' })] as const;
  });
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([p, v, o]) => `${p.padEnd(w0)}  ${v.padEnd(w1)}  ${o}`);
}

function configExit(loaded: LoadedRuntimeConfig): ExitCode {
  if (loaded.issues.some((i) => i.code === 'E_USAGE')) return EXIT.USAGE;
  return hasConfigErrors(loaded.issues) ? EXIT.PROBLEMS : EXIT.OK;
}

/** Loads the runtime config and prints its issues on stderr; the config, or the exit code when it is invalid. */
export function loadConfigOrReport(sets: readonly string[], io: CliIo): LoadedRuntimeConfig | ExitCode {
  const loaded = loadRuntimeConfig({ env: io.env, sets, cwd: io.cwd });
  writeLines(io.err, loaded.issues.map(formatConfigIssue));
  const exit = configExit(loaded);
  return exit === EXIT.OK ? loaded : exit;
}

export function showConfig(sets: readonly string[], json: boolean, io: CliIo): ExitCode {
  const loaded = loadRuntimeConfig({ env: io.env, sets, cwd: io.cwd });
  writeLines(io.err, loaded.issues.map(formatConfigIssue));
  if (json) {
    const out = Object.fromEntries(
      configFields().map((f) => [f.path, { value: shownValue(f.path, valueAt(loaded.config, f.path)), origin: formatOrigin(loaded.sources[f.path] ?? { kind: 'default' }) }]),
    );
    io.out(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    writeLines(io.out, formatEffectiveConfig(loaded));
  }
  return configExit(loaded);
}
