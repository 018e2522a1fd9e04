/** One-line descriptions of cel-js errors, for lint output and dead-letter reasons. */

interface CelErrorLike {
  readonly summary?: string;
  readonly message?: string;
  readonly range?: { readonly start: number; readonly end: number };
}

/** `Unknown variable: amout (column 1)`: the first line of the error and where it points. */
export function describeCelError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as CelErrorLike;
  const text = e.summary ?? e.message?.split('\n')[0] ?? String(error);
  return e.range ? `${text} (column ${e.range.start + 1})` : text;
}

/** The variable a cel-js `unknown_variable` error names, if that is what it is. */
export function unknownVariable(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, summary } = error as { code?: string; summary?: string };
  if (code !== 'unknown_variable' || !summary) return undefined;
  return /^Unknown variable: (\S+)/.exec(summary)?.[1];
}
