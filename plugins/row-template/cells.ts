/**
 * Column sources and cell text, shared by the sinks that write HBase-shaped rows.
 *
 * A source is a field path (`volume`, `user.age`: read directly) or, when it is not one,
 * a CEL expression over the record, compiled once. A plain path never throws; a CEL
 * source throws a `RecordError` (`expr_error`) for a record it cannot evaluate.
 */
import type { ExpressionCompiler, Row } from '../../core/api/index.ts';

export type ValueReader = (row: Row) => unknown;

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** True when `source` is a plain field path (its reader cannot fail). */
export function isFieldPath(source: string): boolean {
  return PATH.test(source.trim());
}

/** Reads a field path, or compiles CEL when `source` is not a plain path. */
export function compileSource(source: string, expressions: ExpressionCompiler | undefined): ValueReader {
  const text = source.trim();
  if (PATH.test(text)) {
    const parts = text.split('.');
    if (parts.length === 1) return (row) => row[text];
    return (row) => {
      let v: unknown = row;
      for (const p of parts) v = v !== null && typeof v === 'object' ? (v as Row)[p] : undefined;
      return v;
    };
  }
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
