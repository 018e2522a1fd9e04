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
import { cellText, compileSource } from './cells.ts';
import type { ValueReader } from './cells.ts';

export { cellText, compilePathsReader, compileSource, isFieldPath } from './cells.ts';
export type { ValueReader } from './cells.ts';

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

/** Renders one placeholder, with the literal text before it: `(row) => prefix + text`. */
type Piece = (row: Row) => string;

const ZEROS = '0'.repeat(64);

function keyError(template: string, source: string, message: string): RecordError {
  return new RecordError('row_key_error', `row key ${JSON.stringify(template)}: '${source}' ${message}`);
}

/** The text of one placeholder's value, or the `row_key_error` it is. */
function placeholderText(template: string, source: string, v: unknown): string {
  const text = cellText(v);
  if (text === undefined) throw keyError(template, source, `is ${v === undefined ? 'missing' : String(v)}`);
  return text;
}

/** `{path}` / `{path:N}` / `{<CEL>}`: reads once, converts once, pads once; no arrays per record. */
function piece(template: string, prefix: string, read: ValueReader, source: string, width: number): Piece {
  if (width === 0) {
    return (row) => {
      const v = read(row);
      return prefix + (typeof v === 'string' ? v : placeholderText(template, source, v));
    };
  }
  return (row) => {
    const text = placeholderText(template, source, read(row));
    if (text.charCodeAt(0) === 45 /* - */) throw keyError(template, source, `is negative (${text}) under a width`);
    if (text.length > width) throw keyError(template, source, `= ${text} is wider than ${width}`);
    const pad = width - text.length;
    return prefix + (pad === 0 ? text : (pad <= ZEROS.length ? ZEROS.slice(0, pad) : '0'.repeat(pad)) + text);
  };
}

/**
 * Compiles a template once: each placeholder becomes one closure that reads its field (or
 * evaluates its CEL) and returns the literal before it plus the value's text; `render` is
 * a concatenation of those calls.
 */
export function compileTemplate(template: string, expressions?: ExpressionCompiler): RowKeyTemplate {
  const pieces: Piece[] = [];
  let literal = '';
  for (const p of parseTemplate(template)) {
    if (typeof p === 'string') literal += p;
    else {
      pieces.push(piece(template, literal, compileSource(p.inner, expressions), p.inner.trim(), p.width));
      literal = '';
    }
  }
  const suffix = literal;
  const n = pieces.length;
  if (n === 0) return { source: template, render: () => suffix };
  const first = pieces[0]!;
  return {
    source: template,
    render(row) {
      let key = first(row);
      for (let i = 1; i < n; i++) key += pieces[i]!(row);
      return suffix ? key + suffix : key;
    },
  };
}
