/** One line per problem, as `sluice lint` prints it. */
import type { LocatedIssue } from './types.ts';

/**
 * `file:line:col  <config path>  <message> [CODE]`, warnings marked, and the hint (the
 * field's doc, allowed values) on the next line, indented.
 */
export function formatIssue(issue: LocatedIssue): string {
  const severity = issue.severity === 'warning' ? 'warning: ' : '';
  const head = `${issue.file}:${issue.line}:${issue.col}  ${issue.configPath || '-'}  ${severity}${issue.message} [${issue.code}]`;
  return issue.hint ? `${head}\n    ${issue.hint.replace(/\n/g, '\n    ')}` : head;
}
