/**
 * Turns CEL results into plain JSON-like values: CEL integers are BigInts (`1n`) and
 * unsigned integers are objects, neither of which a JSON codec can write. Integers become
 * numbers (precision beyond 2^53 is lost, as it would be in JSON anyway).
 */
export function normalizeCelValue(value: unknown): unknown {
  switch (typeof value) {
    case 'boolean':
    case 'string':
    case 'number':
    case 'undefined':
      return value;
    case 'bigint':
      return Number(value);
    case 'object':
      return value === null ? null : normalizeObject(value);
    default:
      return value;
  }
}

function normalizeObject(value: object): unknown {
  if (Array.isArray(value)) return value.map(normalizeCelValue);
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalizeCelValue(v);
    return out;
  }
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = normalizeCelValue(v);
    return out;
  }
  // UnsignedInt (`1u`) unwraps to a BigInt; Date, Uint8Array and Duration stay as they are.
  if (value.constructor?.name === 'UnsignedInt') return Number((value as { valueOf(): bigint }).valueOf());
  return value;
}
