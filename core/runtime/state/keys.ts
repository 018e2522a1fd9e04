/**
 * Key extraction: how a keyed operator's input records become serialised keys.
 *
 * A key is the values of the key fields (dotted paths allowed), each serialised
 * (strings as is, numbers and booleans with `String`, anything else as JSON) and joined
 * with U+001F (unit separator). The engine, the operator host and the test kit all use
 * this one function, so a key computed in a test is the key the engine computes.
 *
 * With `integers` (an operator with `integerKeys`, core/api/state.ts `StateKey`), a key of
 * one field whose value is a safe integer, or a string that is one's canonical decimal
 * text, is that number instead: the same keys, told apart exactly as their strings were.
 *
 * A record whose key field is missing (undefined or null) cannot be keyed: the extractor
 * throws a `RecordError` with reason `missing_key`, and the caller dead-letters it.
 */
import { RecordError } from '../../api/errors.ts';
import type { KeySpec } from '../../api/stream.ts';
import type { Batch, Row } from '../../api/records.ts';
import type { KeyedBatch } from '../../api/operator.ts';
import type { StateKey } from '../../api/state.ts';
import { KeyInterner } from './key-interner.ts';

export const KEY_SEPARATOR = '\u001f';

export type KeyExtractor = (row: Row) => StateKey;

/** Longest canonical decimal text of a safe integer, sign included (−9007199254740991). */
const MAX_INTEGER_TEXT = 17;

/**
 * The number a string key stands for when it is the canonical decimal text of a safe
 * integer (`"42"`, `"-7"`; not `"042"`, `"-0"`, `"4.0"`), else the string itself.
 */
export function integerKeyOfText(text: string): StateKey {
  const n = text.length;
  if (n === 0 || n > MAX_INTEGER_TEXT) return text;
  const c = text.charCodeAt(0);
  // Cheap rejection of the usual string ids before any parsing.
  if (!((c >= 48 && c <= 57) || c === 45)) return text;
  const v = Number(text);
  return Number.isSafeInteger(v) && String(v) === text && text !== '-0' ? v : text;
}

/** A key of one field as an operator with integer keys holds it. */
export function integerKeyOf(value: unknown): StateKey {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value + 0 : keyPart(value); // + 0: −0 is 0, as "0" was
  return typeof value === 'string' ? integerKeyOfText(value) : keyPart(value);
}

/** A key computed elsewhere (a batch's own `keys`, a checkpoint's) as an operator with integer keys holds it. */
export const integerKey = (key: StateKey): StateKey => (typeof key === 'string' ? integerKeyOfText(key) : key);

function readPath(row: Row, path: readonly string[]): unknown {
  let value: unknown = row;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Serialises one key component. */
export function keyPart(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      return JSON.stringify(value);
  }
}

/** Joins already-read key values the way `keyExtractor` does. */
export function joinKey(values: readonly unknown[]): string {
  if (values.length === 1) return keyPart(values[0]);
  let out = keyPart(values[0]);
  for (let i = 1; i < values.length; i++) out += KEY_SEPARATOR + keyPart(values[i]);
  return out;
}

/**
 * Reads the top-level fields `names` of a row into `parts`, in order: −1 when all are
 * primitives (string, number, boolean), −2 when some is not, `i` when field `i` is missing
 * (undefined or null; the fields after it are not read). Generated, so each field is one
 * named property load rather than a keyed load shared by every field; names appear in the
 * source only as JSON string literals.
 */
function partsReader(names: readonly string[]): (row: Row, parts: unknown[]) => number {
  const reads = names.map(
    (name, i) =>
      `v = row[${JSON.stringify(name)}]; if (v === undefined || v === null) return ${i}; ` +
      `t = typeof v; if (t !== "string" && t !== "number" && t !== "boolean") primitive = false; parts[${i}] = v;`,
  );
  return new Function('row', 'parts', ['"use strict";', 'let v, t, primitive = true;', ...reads, 'return primitive ? -1 : -2;'].join('\n')) as (row: Row, parts: unknown[]) => number;
}

/**
 * Builds the extractor for the given key fields. Fields are compiled once, not per record.
 * `integers`: a key of one field is a number when its value is an integer (see above).
 */
export function keyExtractor(fields: KeySpec, integers = false): KeyExtractor {
  if (fields.length === 0) throw new Error('a key needs at least one field');
  const paths = fields.map((f) => f.split('.'));
  const missing = (row: Row, f: string): never => {
    void row;
    throw new RecordError('missing_key', `key field '${f}' is missing`);
  };
  if (paths.length === 1) {
    const path = paths[0]!;
    const name = fields[0]!;
    if (integers) {
      return (row) => {
        const v = path.length === 1 ? row[name] : readPath(row, path);
        if (v === undefined || v === null) return missing(row, name);
        return integerKeyOf(v);
      };
    }
    if (path.length === 1) {
      return (row) => {
        const v = row[name];
        if (v === undefined || v === null) return missing(row, name);
        return typeof v === 'string' ? v : keyPart(v);
      };
    }
    return (row) => {
      const v = readPath(row, path);
      if (v === undefined || v === null) return missing(row, name);
      return keyPart(v);
    };
  }
  // Several fields: the key string of a combination seen before is reused (key-interner.ts).
  const n = paths.length;
  const interner = new KeyInterner(n);
  const parts = new Array<unknown>(n);
  if (paths.every((p) => p.length === 1)) {
    const read = partsReader(fields);
    return (row) => {
      const r = read(row, parts);
      if (r >= 0) return missing(row, fields[r]!);
      if (r === -1) {
        const known = interner.get(parts);
        if (known !== undefined) return known;
      }
      let out = keyPart(parts[0]);
      for (let i = 1; i < n; i++) out += KEY_SEPARATOR + keyPart(parts[i]);
      return r === -1 ? interner.set(parts, out) : out;
    };
  }
  return (row) => {
    let primitive = true;
    for (let i = 0; i < n; i++) {
      const path = paths[i]!;
      const v = path.length === 1 ? row[path[0]!] : readPath(row, path);
      if (v === undefined || v === null) return missing(row, fields[i]!);
      const t = typeof v;
      if (t !== 'string' && t !== 'number' && t !== 'boolean') primitive = false;
      parts[i] = v;
    }
    if (primitive) {
      const known = interner.get(parts);
      if (known !== undefined) return known;
    }
    let out = keyPart(parts[0]);
    for (let i = 1; i < n; i++) out += KEY_SEPARATOR + keyPart(parts[i]);
    return primitive ? interner.set(parts, out) : out;
  };
}

/** Splits a serialised key back into its string parts. */
export function splitKey(key: string): string[] {
  return key.split(KEY_SEPARATOR);
}

/**
 * Adds `keys` to a batch. Records whose key cannot be extracted are reported to `onError`
 * and left out of the returned batch (which then is a copy; otherwise the arrays are shared).
 */
export function keyBatch(batch: Batch, extract: KeyExtractor, onError: (index: number, error: unknown) => void): KeyedBatch {
  const n = batch.length;
  const keys = new Array<StateKey>(n);
  let failed: number[] | undefined;
  for (let i = 0; i < n; i++) {
    try {
      keys[i] = extract(batch.values[i]!);
    } catch (error) {
      (failed ??= []).push(i);
      onError(i, error);
    }
  }
  if (!failed) return { ...batch, keys };
  const skip = new Set(failed);
  const pick = <T>(a: readonly T[]) => a.filter((_, i) => !skip.has(i));
  return {
    length: n - failed.length,
    values: pick(batch.values),
    times: pick(batch.times),
    keys: pick(keys),
    ...(batch.kinds ? { kinds: pick(batch.kinds) } : {}),
    ...(batch.provenance ? { provenance: pick(batch.provenance) } : {}),
  };
}
