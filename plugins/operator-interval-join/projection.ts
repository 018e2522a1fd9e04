/**
 * The join's `project` when every field is a plain field of one side (`left.user_id`,
 * `right.action`, as the flagship's): one generated function that builds the output row from
 * the two rows directly, instead of one CEL evaluation per field and a values array per pair.
 *
 * The contract is the CEL evaluation's result, exactly. The function reads a field only when
 * its side is a plain object that owns it with a primitive value (string, number, boolean or
 * null), where the CEL fast path (core/runtime/expr/fast-path.ts) gives that value as is; for
 * anything else — a missing field, a nested object or list, a value of another kind — it
 * returns `undefined` and the caller evaluates the pair's expressions as before (which also
 * dead-letters what fails).
 *
 * The generated source holds field names only as JSON string literals (`JSON.stringify`),
 * each checked to be an identifier first.
 */
import type { Row } from '../../core/api/index.ts';

export type DirectProjection = (left: Row, right: Row) => Row | undefined;

const FIELD = /^\s*(left|right)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/;

/** The direct projection of `project`, or undefined when some field is more than `side.name`. */
export function directProjection(project: Readonly<Record<string, string>>): DirectProjection | undefined {
  const names = Object.keys(project);
  if (names.length === 0 || names.includes('__proto__')) return undefined;
  const reads: string[] = [];
  const fields: string[] = [];
  for (let k = 0; k < names.length; k++) {
    const m = FIELD.exec(project[names[k]!]!);
    if (m === null) return undefined;
    const side = m[1] === 'left' ? 'l' : 'r';
    const field = JSON.stringify(m[2]!);
    reads.push(
      `const v${k} = ${side}[${field}];`,
      `if (!(v${k} === null || typeof v${k} === "string" || typeof v${k} === "number" || typeof v${k} === "boolean") || !hasOwn(${side}, ${field})) return undefined;`,
    );
    fields.push(`${JSON.stringify(names[k]!)}: v${k}`);
  }
  const code = [
    '"use strict";',
    'return function project(l, r) {',
    'if (typeof l !== "object" || l === null || l.constructor !== Object || typeof r !== "object" || r === null || r.constructor !== Object) return undefined;',
    ...reads,
    `return { ${fields.join(', ')} };`,
    '};',
  ].join('\n');
  // Field names quoted and checked against FIELD: see the header.
  return new Function('hasOwn', code)(Object.hasOwn) as DirectProjection;
}
