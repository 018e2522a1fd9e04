/** Building located issues: every problem names file, line, column, config path and code. */
import type { ErrorCode } from '../../api/index.ts';
import type { LocatedIssue } from '../graph/types.ts';
import { compareText } from './compare-text.ts';
import { formatPath } from './locator.ts';
import type { ConfigPath, Locator } from './locator.ts';

export interface IssueOptions {
  /** Point at the key of the last path segment rather than its value (unknown keys, ids). */
  readonly atKey?: boolean;
  readonly hint?: string;
  readonly severity?: 'error' | 'warning';
}

export function issueAt(locator: Locator, code: ErrorCode, path: ConfigPath, message: string, options: IssueOptions = {}): LocatedIssue {
  const { line, col } = options.atKey ? locator.key(path) : locator.value(path);
  return {
    code,
    file: locator.file,
    line,
    col,
    configPath: formatPath(path),
    path,
    message,
    severity: options.severity ?? 'error',
    ...(options.hint ? { hint: options.hint } : {}),
  };
}

/** Issues in file order (line, column), errors before warnings at one place. */
export function sortIssues(issues: readonly LocatedIssue[]): LocatedIssue[] {
  return [...issues].sort(
    (a, b) =>
      compareText(a.file, b.file) ||
      a.line - b.line ||
      a.col - b.col ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      compareText(a.message, b.message),
  );
}

/** Drops repeats (the same problem found under two profiles). */
export function dedupeIssues(issues: readonly LocatedIssue[]): LocatedIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.file}\0${i.line}\0${i.col}\0${i.code}\0${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
