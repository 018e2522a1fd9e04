/**
 * Where a runtime config value came from, and the problems found while loading one layer.
 */

/** The layer that set an effective value. Lines and columns are 1-based. */
export type ConfigOrigin =
  | { readonly kind: 'default' }
  | { readonly kind: 'file'; readonly file: string; readonly line: number; readonly col: number }
  | { readonly kind: 'env'; readonly name: string; readonly file?: string }
  | { readonly kind: 'set'; readonly flag: string };

export function formatOrigin(origin: ConfigOrigin): string {
  switch (origin.kind) {
    case 'default':
      return 'default';
    case 'file':
      return `${origin.file}:${origin.line}:${origin.col}`;
    case 'env':
      return origin.file ? `env ${origin.name} (file ${origin.file})` : `env ${origin.name}`;
    case 'set':
      return `--set ${origin.flag}`;
  }
}

/**
 * A problem in one layer. `E_RUNTIME_CONFIG` for a bad value or key in a file or variable,
 * `E_USAGE` for a malformed `--set`. Warnings (a secret written in a file) do not stop a run.
 */
export interface ConfigLoadIssue {
  readonly code: 'E_RUNTIME_CONFIG' | 'E_USAGE';
  readonly severity: 'error' | 'warning';
  readonly origin: ConfigOrigin;
  /** Dotted config path (`checkpoint.interval`), or '' when the problem is the whole layer. */
  readonly configPath: string;
  readonly message: string;
  /** The field's doc and allowed values. */
  readonly hint?: string;
}

/** `config/test.yaml:3:13  checkpoint.interval  must be a duration… — Time between…`, like lint's lines. */
export function formatConfigIssue(issue: ConfigLoadIssue): string {
  const where = formatOrigin(issue.origin);
  const severity = issue.severity === 'warning' ? 'warning: ' : '';
  const hint = issue.hint ? ` — ${issue.hint}` : '';
  return `${where}  ${issue.configPath || '-'}  ${severity}${issue.message}${hint}`;
}
