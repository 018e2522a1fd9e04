/**
 * What the dead-letter output writes for a record it could not write as it is (issue 12:
 * a 100 k-deep array neither the sink nor the dead-letter sink could encode): the same
 * dead-letter row with `record` replaced by `{unencodable: <error>, preview: <text>}`, a
 * bounded JSON-like preview built without recursion limits. The record is then accounted
 * for rather than only logged.
 */
import type { Row } from '../../api/index.ts';

/** Characters of preview kept. */
export const PREVIEW_CHARS = 1_000;

/** A JSON-like text of `value`, at most `max` characters (then `…`), without deep recursion. */
export function preview(value: unknown, max = PREVIEW_CHARS): string {
  let out = '';
  // Work stack of values still to print, and literal text between them.
  const stack: (unknown | { text: string })[] = [value];
  const isText = (x: unknown): x is { text: string } => typeof x === 'object' && x !== null && TEXT in x;
  while (stack.length && out.length <= max) {
    const v = stack.pop();
    if (isText(v)) out += v.text;
    else if (Array.isArray(v)) {
      stack.push(text(']'));
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i], ...(i > 0 ? [text(',')] : []));
      out += '[';
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      stack.push(text('}'));
      for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i]![1], text(`${i > 0 ? ',' : ''}${JSON.stringify(entries[i]![0])}:`));
      out += '{';
    } else if (typeof v === 'bigint') out += v.toString();
    else if (typeof v === 'number' && !Number.isFinite(v)) out += String(v);
    else out += JSON.stringify(v) ?? 'null';
  }
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

const TEXT = Symbol('text');

function text(t: string): { text: string; [TEXT]: true } {
  return { text: t, [TEXT]: true };
}

/** The dead-letter row with its `record` replaced by a stand-in naming why it failed. */
export function standInRow(row: Row, error: unknown): Row {
  const message = error instanceof Error ? error.message : String(error);
  return { ...row, record: { unencodable: message, preview: preview(row.record) } };
}
