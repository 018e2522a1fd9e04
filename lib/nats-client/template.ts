/**
 * `{field}` templates for subjects, header values and message ids: `alerts.{experiment_id}`,
 * `{user.id}|{version}`. Parsed once per pipeline into literal and field parts, so rendering a
 * record is a join of strings. `{{` and `}}` are literal braces.
 */
import { RecordError } from '../../core/api/index.ts';
import type { Row } from '../../core/api/index.ts';

export type Template = (row: Row) => string;

type Part = string | readonly string[];

/** Parses `text`; throws an Error naming the problem (it is a config error). */
export function parseTemplate(text: string): readonly Part[] {
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ((c === '{' || c === '}') && text[i + 1] === c) {
      literal += c;
      i++;
    } else if (c === '{') {
      const end = text.indexOf('}', i);
      const path = end < 0 ? '' : text.slice(i + 1, end).trim();
      if (!/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/.test(path)) throw new Error(`bad field reference at ${i} in template '${text}'`);
      if (literal) parts.push(literal);
      literal = '';
      parts.push(path.split('.'));
      i = end;
    } else if (c === '}') throw new Error(`unmatched '}' at ${i} in template '${text}' (write '}}' for a brace)`);
    else literal += c;
  }
  if (literal) parts.push(literal);
  return parts;
}

function lookup(row: Row, path: readonly string[]): unknown {
  let v: unknown = row;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === undefined || v === null) return undefined;
  return JSON.stringify(v);
}

/** Compiles a template; a record without a referenced field throws `RecordError('template_error')`. */
export function compileTemplate(source: string): Template {
  const parts = parseTemplate(source);
  if (parts.every((p) => typeof p === 'string')) {
    const constant = parts.join('');
    return () => constant;
  }
  return (row) => {
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') {
        out += p;
        continue;
      }
      const v = text(lookup(row, p));
      if (v === undefined) throw new RecordError('template_error', `template '${source}': field '${p.join('.')}' is missing or null`);
      out += v;
    }
    return out;
  };
}
