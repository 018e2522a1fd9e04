/**
 * The key fields' values of a key, as a number stored in the key's packed state instead of
 * an array per key: the serialised key (the runtime's `keys.ts`: strings as is, numbers and
 * booleans with `String`, parts joined by U+001F) already holds them as text, and the code
 * says how to read each part back (2 bits per field: 1 string, 2 number, 3 boolean). A key
 * of one field may be a number (the operator takes integer keys, core/api/state.ts `StateKey`).
 *
 * Code 0: the values do not round-trip through the key text (objects, −0, a string holding
 * the separator, a key computed from other fields), so the caller keeps them in state of
 * their own. `encodeKeyValues` checks the round trip on the actual key, so a key format
 * other than the one assumed here only costs that fallback, never a wrong value.
 */
import { keyText, type StateKey } from '../../core/api/index.ts';

const KEY_SEPARATOR = '\u001f';

const joinKey = (values: readonly unknown[]): string => values.map((v) => String(v)).join(KEY_SEPARATOR);

const STRING = 1;
const NUMBER = 2;
const BOOLEAN = 3;

function codeOf(v: unknown): number {
  if (typeof v === 'string') return STRING;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? NUMBER : 0;
  if (typeof v === 'boolean') return BOOLEAN;
  return 0;
}

/** The code of `values` for key `key`, or 0 when they cannot be read back from it. */
export function encodeKeyValues(key: StateKey, values: readonly unknown[]): number {
  if (values.length === 1) {
    const v = values[0];
    const c = codeOf(v);
    if (typeof key === 'number') return (c === NUMBER && v === key) || (c === STRING && v === String(key)) ? c : 0;
    return c !== 0 && (c === STRING ? v === key : String(v) === key) ? c : 0;
  }
  if (typeof key !== 'string') return 0;
  if (values.length > 26) return 0; // 4^26 < 2^53
  let code = 0;
  let scale = 1;
  for (const v of values) {
    const c = codeOf(v);
    if (c === 0) return 0;
    if (c === STRING && values.length > 1 && (v as string).includes(KEY_SEPARATOR)) return 0;
    code += c * scale;
    scale *= 4;
  }
  return joinKey(values) === key ? code : 0;
}

/** The values `encodeKeyValues(key, values)` encoded (code ≠ 0). */
export function decodeKeyValues(key: StateKey, code: number, fields: number): unknown[] {
  if (fields === 1 && typeof key === 'number') return [code === NUMBER ? key : String(key)];
  const text = keyText(key);
  const parts = fields === 1 ? [text] : text.split(KEY_SEPARATOR);
  const out = new Array<unknown>(fields);
  for (let i = 0; i < fields; i++) {
    const c = code % 4;
    code = (code - c) / 4;
    const part = parts[i]!;
    out[i] = c === STRING ? part : c === NUMBER ? Number(part) : part === 'true';
  }
  return out;
}
