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

/**
 * `needle in container` as cel-js gives it: for a JS array, an element === the primitive
 * needle (ints compare numerically, so a BigInt element is left to cel-js); for a plain
 * object (a map), the string needle is an own key with a value.
 */
export function member(needle: unknown, container: unknown): unknown {
  if (typeof container !== 'object' || container === null || !firstChainKnown(container)) return BAIL;
  const c = container.constructor;
  if (c === Object) {
    if (typeof needle !== 'string') return BAIL;
    return hasOwn(container, needle) && (container as Record<string, unknown>)[needle] !== undefined;
  }
  if (c !== Array || !isPrimitive(needle)) return BAIL;
  const items = container as unknown[];
  for (let i = 0; i < items.length; i++) {
    const e = items[i];
    if (e === needle) return true;
    if (typeof e === 'bigint') return BAIL;
  }
  return false;
}

/**
 * cel-js types a list or map operand by its first element, recursively (`debugTypeDeep`:
 * a list's `[0]`, a map's first `for…in` entry), and fails on a kind it does not know: that
 * chain must hold only known kinds.
 */
function firstChainKnown(value: unknown): boolean {
  let v = value;
  for (let depth = 0; depth < 32; depth++) {
    if (!known(v)) return false;
    if (typeof v !== 'object' || v === null) return true;
    if (Array.isArray(v)) {
      if (v[0] === undefined) return true;
      v = v[0];
      continue;
    }
    let empty = true;
    for (const key in v) {
      v = (v as Record<string, unknown>)[key];
      empty = false;
      break;
    }
    if (empty) return true;
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
