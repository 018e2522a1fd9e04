/**
 * Column sources and cell text, shared by the sinks that write HBase-shaped rows.
 *
 * A source is a field path (`volume`, `user.age`: read by a small generated function, one
 * property load per segment) or, when it is not one, a CEL expression over the record,
 * compiled once. A plain path never throws; a CEL
 * source throws a `RecordError` (`expr_error`) for a record it cannot evaluate.
 */
import type { ExpressionCompiler, Row } from '../../core/api/index.ts';

export type ValueReader = (row: Row) => unknown;

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** True when `source` is a plain field path (its reader cannot fail). */
export function isFieldPath(source: string): boolean {
  return PATH.test(source.trim());
}

/**
 * JavaScript that reads a field path of `row` into `target`: one property load per
 * segment, `undefined` past a non-object (as `a.b` of `{a: 1}`). Segments are identifiers
 * (PATH) and enter the code only as JSON string literals.
 */
function readCode(path: string, target: string): string {
  const [first, ...rest] = path.split('.');
  const steps = rest.map((p) => `v = v !== null && typeof v === "object" ? v[${JSON.stringify(p)}] : undefined;`);
  return rest.length === 0 ? `${target} = row[${JSON.stringify(first)}];` : `{ let v = row[${JSON.stringify(first)}]; ${steps.join(' ')} ${target} = v; }`;
}

/**
 * Reads several field paths of a row into `out[0..n)` with one generated function, so
 * each load is a plain property load with its own inline cache (a closure shared by every
 * path would make every load megamorphic).
 */
export function compilePathsReader(paths: readonly string[]): (row: Row, out: unknown[]) => void {
  for (const p of paths) if (!isFieldPath(p)) throw new Error(`'${p}' is not a field path`);
  const body = paths.map((p, i) => readCode(p.trim(), `out[${i}]`)).join('\n');
  return new Function('row', 'out', body) as (row: Row, out: unknown[]) => void;
}

/** Reads a field path, or compiles CEL when `source` is not a plain path. */
export function compileSource(source: string, expressions: ExpressionCompiler | undefined): ValueReader {
  const text = source.trim();
  if (PATH.test(text)) return new Function('row', `let value; ${readCode(text, 'value')} return value;`) as ValueReader;
  if (!expressions) throw new Error(`'${text}' is not a field path, and no CEL compiler is available`);
  const compiled = expressions.compile(text, 'record');
  return (row) => compiled.evaluate(row);
}

/** A value as the UTF-8 decimal (or plain) text stored in a cell; undefined for null/absent. */
export function cellText(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isFinite(v) ? String(v) : undefined;
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return undefined;
    default:
      return v === null ? undefined : JSON.stringify(v);
  }
}
