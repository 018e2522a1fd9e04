/**
 * Key and header templates: text with placeholders, rendered per record. Field reads and
 * value text are those of lib/row-template; there is no `:N` width here.
 * - `{path}`: the record's field (dotted paths reach into objects), read directly;
 * - `{<CEL>}`: anything that is not a plain path is a CEL expression over the record,
 *   compiled once (`{experiment_id + "/" + group}`);
 * - `{{` and `}}` are literal braces.
 * Strings are written as they are, numbers and booleans as text, objects and lists as JSON.
 * A missing field, a null or a CEL error rejects the record with a `RecordError`
 * (reason `key_error`): it is dead-lettered and nothing is sent for it. Rendering is a pure
 * function of the record, so keys are deterministic across replays.
 */
import { RecordError } from '../../core/api/index.ts';
import type { ExpressionCompiler, Row } from '../../core/api/index.ts';
import { cellText as text, compileSource } from '../../lib/row-template/template.ts';
import type { ValueReader } from '../../lib/row-template/template.ts';

type Part = string | { readonly read: ValueReader; readonly source: string };

export interface Template {
  readonly source: string;
  render(row: Row): string;
}

/** Splits a template into literal text and placeholder bodies; throws on unbalanced braces. */
export function parseTemplate(template: string): (string | { inner: string })[] {
  const out: (string | { inner: string })[] = [];
  let lit = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if ((ch === '{' || ch === '}') && template[i + 1] === ch) {
      lit += ch;
      i++;
    } else if (ch === '{') {
      let depth = 1;
      let j = i + 1;
      for (; j < template.length && depth > 0; j++) {
        if (template[j] === '{') depth++;
        else if (template[j] === '}') depth--;
      }
      if (depth > 0) throw new Error(`unclosed '{' at ${i} in template ${JSON.stringify(template)}`);
      const inner = template.slice(i + 1, j - 1);
      if (!inner.trim()) throw new Error(`empty placeholder at ${i} in template ${JSON.stringify(template)}`);
      if (lit) out.push(lit);
      lit = '';
      out.push({ inner });
      i = j - 1;
    } else if (ch === '}') throw new Error(`unmatched '}' at ${i} in template ${JSON.stringify(template)} (write '}}' for a brace)`);
    else lit += ch;
  }
  if (lit) out.push(lit);
  return out;
}

/** Compiles a template once; `what` names it in errors (`key`, `header 'x'`). */
export function compileTemplate(template: string, what: string, expressions?: ExpressionCompiler): Template {
  const parts: Part[] = parseTemplate(template).map((p) => (typeof p === 'string' ? p : { read: compileSource(p.inner, expressions), source: p.inner.trim() }));
  const only = parts.length === 1 && typeof parts[0] !== 'string' ? parts[0] : undefined;
  const fail = (source: string, v: unknown) =>
    new RecordError('key_error', `${what} ${JSON.stringify(template)}: '${source}' is ${v === undefined ? 'missing' : String(v)}`);
  if (only) {
    // The common `{user_id}`: one read, no concatenation.
    return {
      source: template,
      render(row) {
        const v = only.read(row);
        const t = text(v);
        if (t === undefined) throw fail(only.source, v);
        return t;
      },
    };
  }
  return {
    source: template,
    render(row) {
      let out = '';
      for (const p of parts) {
        if (typeof p === 'string') {
          out += p;
          continue;
        }
        const v = p.read(row);
        const t = text(v);
        if (t === undefined) throw fail(p.source, v);
        out += t;
      }
      return out;
    },
  };
}
