/**
 * Record-depth limit (issue 12): a JSON record nested deeper than `SLUICE_MAX_RECORD_DEPTH`
 * (64 unless set) is a decode failure, dead-lettered with reason `too_deep`, so no sink,
 * CEL expression or state encoder meets a 100 000-deep array.
 *
 * Depth counts objects and arrays: `{}` is 1, `{"a": [1]}` is 2. The check is cheap for
 * ordinary records: a payload with no more `{`/`[` characters in all than the limit cannot
 * be deeper, which `indexOf` finds without a per-character loop; only a payload with more
 * brackets is scanned (strings skipped).
 */

/** Deepest nesting decoded, unless `SLUICE_MAX_RECORD_DEPTH` says otherwise. */
export const MAX_RECORD_DEPTH = 64;

/** The limit in force: `SLUICE_MAX_RECORD_DEPTH` when it is a positive integer, else 64. Read per decoded chunk. */
export function maxRecordDepth(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.SLUICE_MAX_RECORD_DEPTH);
  return Number.isSafeInteger(n) && n > 0 ? n : MAX_RECORD_DEPTH;
}

/** More than `limit` opening brackets in the text (a necessary condition for depth > limit). */
function manyBrackets(text: string, limit: number): boolean {
  const objects = countUpTo(text, '{', limit + 1);
  return objects > limit || objects + countUpTo(text, '[', limit + 1 - objects) > limit;
}

/** Occurrences of `char` in `text`, counting no further than `max`. */
function countUpTo(text: string, char: string, max: number): number {
  let count = 0;
  for (let at = text.indexOf(char); at !== -1 && count < max; at = text.indexOf(char, at + 1)) count++;
  return count;
}

/** True when the JSON text nests objects and arrays deeper than `limit` (outside strings). */
export function deeperThan(text: string, limit: number): boolean {
  if (text.length <= 2 * limit || !manyBrackets(text, limit)) return false;
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string, escapes included.
      i++;
      while (i < n && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}
