/**
 * Rows as a test file writes them, in YAML flow style (`{page: "pin", clicks: 2}`), so an
 * actual row can be pasted back into `expected:`. Strings are quoted, so `"2"` and `2`
 * differ visibly.
 */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_SHOWN = 400;

export function showValue(value: unknown): string {
  if (value === undefined) return '(nothing)';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[${value.map(showValue).join(', ')}]`;
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${PLAIN_KEY.test(k) ? k : JSON.stringify(k)}: ${showValue(v)}`).join(', ')}}`;
  }
  return String(value);
}

/** A row on one line, cut at a readable length. */
export function showRow(row: unknown): string {
  const text = showValue(row);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}
