/**
 * What plain `JSON.parse`/`JSON.stringify` would change silently (issue 12), found cheaply:
 *
 * - an integer beyond ±2^53 would be rounded (two distinct ids become one). A payload with
 *   an integer literal of 16 or more digits is rescanned and such integers are quoted first, so they
 *   arrive as **strings of their exact digits** (documented in docs/pipelines.md);
 * - `Infinity`, `-Infinity` and `NaN` would be written as `null`. A line containing `null`
 *   is checked for them, and such a record is rejected at the sink (dead-lettered).
 */

/** A run of 16+ digits that is an integer literal: not part of a fraction or before one, nor an exponent. */
const LONG_DIGITS = /(?<![\d.eE])\d{16,}(?![\d.eE])/;

/** The text with every integer literal outside strings that is not a safe integer quoted. */
export function quoteBigIntegers(text: string): string {
  if (!LONG_DIGITS.test(text)) return text;
  let out = '';
  let from = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string, escapes included.
      i++;
      while (i < n && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
      i++;
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      if (c === 0x2d) i++;
      while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
      const integer = i < n ? !/[.eE]/.test(text[i]!) : true;
      if (!integer) {
        while (i < n && /[0-9.eE+-]/.test(text[i]!)) i++;
        continue;
      }
      const token = text.slice(start, i);
      if (!Number.isSafeInteger(Number(token))) {
        out += text.slice(from, start) + '"' + token + '"';
        from = i;
      }
      continue;
    }
    i++;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Path of the first non-finite number in `value` (`a.b[2]`), or undefined; bounded depth. */
export function nonFinitePath(value: unknown, maxDepth = 256): string | undefined {
  const stack: [unknown, string, number][] = [[value, '', 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return path || '(the record)';
    } else if (typeof v === 'object' && v !== null && depth < maxDepth) {
      if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, `${path}[${i}]`, depth + 1]));
      else for (const [k, x] of Object.entries(v)) stack.push([x, path ? `${path}.${k}` : k, depth + 1]);
    }
  }
  return undefined;
}
