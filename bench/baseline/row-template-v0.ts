/** Frozen copy of lib/row-template/template.ts before issue 9 (same-run baseline for bench/sinks.ts). */
/**
 * Row-key templates and column sources, shared by the sinks that write HBase-shaped rows
 * (`embedded_store`, `hbase`). A plain library folder: no plugin here.
 *
 * A template is text with placeholders: `{experiment_id}|{epoch_start:13}|{segment}`.
 * - `{path}`: the record's field (dotted paths reach into objects), read directly.
 * - `{path:N}`: the same, left-padded with zeros to exactly N characters (13 for epoch ms);
 *   a wider value is an error, since it would break the keys' sort order.
 * - `{<CEL>}` / `{<CEL>:N}`: anything that is not a plain path is a CEL expression over
 *   the record, compiled once (`{has(self.action) ? action : "_"}`). A CEL ternary whose
 *   last branch is a bare number needs parentheses, or `:N` would read as a width.
 * - `{{` and `}}` are literal braces.
 *
 * A missing field, a null, a negative number under `:N`, or a CEL error rejects the record
 * with a `RecordError` (it is dead-lettered); nothing is written for it.
 */
import { RecordError } from '../../core/api/index.ts';
import type { ExpressionCompiler, Row } from '../../core/api/index.ts';

export type ValueReader = (row: Row) => unknown;

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

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

type Part = string | { readonly read: ValueReader; readonly source: string; readonly width: number };

export interface RowKeyTemplate {
  readonly source: string;
  /** The key for a record; throws a `RecordError` with reason `row_key_error`. */
  render(row: Row): string;
}

/** Splits a template into literal text and placeholders; throws on unbalanced braces. */
export function parseTemplate(template: string): (string | { inner: string; width: number })[] {
  const out: (string | { inner: string; width: number })[] = [];
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if ((ch === '{' || ch === '}') && template[i + 1] === ch) {
      text += ch;
      i++;
    } else if (ch === '{') {
      let depth = 1;
      let j = i + 1;
      for (; j < template.length && depth > 0; j++) {
        if (template[j] === '{') depth++;
        else if (template[j] === '}') depth--;
      }
      if (depth > 0) throw new Error(`unclosed '{' at ${i} in template ${JSON.stringify(template)}`);
      const body = template.slice(i + 1, j - 1);
      const m = /^(.*?):(\d+)$/s.exec(body);
      if (text) out.push(text);
      text = '';
      out.push(m ? { inner: m[1]!, width: Number(m[2]) } : { inner: body, width: 0 });
      if (!(m ? m[1]! : body).trim()) throw new Error(`empty placeholder at ${i} in template ${JSON.stringify(template)}`);
      i = j - 1;
    } else if (ch === '}') throw new Error(`unmatched '}' at ${i} in template ${JSON.stringify(template)} (write '}}' for a brace)`);
    else text += ch;
  }
  if (text) out.push(text);
  return out;
}

export function compileTemplate(template: string, expressions?: ExpressionCompiler): RowKeyTemplate {
  const parts: Part[] = parseTemplate(template).map((p) => (typeof p === 'string' ? p : { read: compileSource(p.inner, expressions), source: p.inner.trim(), width: p.width }));
  return {
    source: template,
    render(row) {
      let key = '';
      for (const p of parts) {
        if (typeof p === 'string') {
          key += p;
          continue;
        }
        const v = p.read(row);
        const text = cellText(v);
        if (text === undefined) throw new RecordError('row_key_error', `row key ${JSON.stringify(template)}: '${p.source}' is ${v === undefined ? 'missing' : String(v)}`);
        if (p.width) {
          if (text.startsWith('-')) throw new RecordError('row_key_error', `row key ${JSON.stringify(template)}: '${p.source}' is negative (${text}) under a width`);
          if (text.length > p.width) throw new RecordError('row_key_error', `row key ${JSON.stringify(template)}: '${p.source}' = ${text} is wider than ${p.width}`);
          key += '0'.repeat(p.width - text.length) + text;
        } else key += text;
      }
      return key;
    },
  };
}
