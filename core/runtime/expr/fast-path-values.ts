/**
 * The values the CEL fast path (`fast-path.ts`) works with, and the helpers its generated
 * code calls: which values it is sure of, list membership, literals.
 */

/** Returned when the fast path cannot decide: evaluate with cel-js instead. */
export const BAIL: unique symbol = Symbol('bail');

export const hasOwn = Object.hasOwn;

/** A value whose CEL meaning is certain here: a JSON-like primitive, plain object or array. */
export function known(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object': {
      if (v === null) return true;
      const c = (v as object).constructor;
      return c === Object || c === Array;
    }
    default:
      return false;
  }
}

export const isPrimitive = (v: unknown): boolean => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** `needle in list` for a primitive needle and a JS array (cel-js compares elements with ===, ints numerically). */
export function member(needle: unknown, list: unknown): unknown {
  if (!isPrimitive(needle) || typeof list !== 'object' || list === null || list.constructor !== Array) return BAIL;
  const items = list as unknown[];
  for (let i = 0; i < items.length; i++) {
    const e = items[i];
    if (e === needle) return true;
    if (typeof e === 'bigint') return BAIL;
  }
  return false;
}

/** A literal as a JS value, or BAIL when it is not one the fast path compares exactly. */
export function literal(v: unknown): unknown {
  if (typeof v === 'bigint') return v <= 2n ** 53n && v >= -(2n ** 53n) ? Number(v) : BAIL;
  return isPrimitive(v) ? v : BAIL;
}

/** A primitive literal as JavaScript source. */
export function source(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '(-0)' : `(${String(v)})`;
  return JSON.stringify(v);
}
