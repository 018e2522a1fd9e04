/**
 * `${VAR}` in a CEL expression, done so a value cannot rewrite the expression (issue 12).
 *
 * The YAML reader interpolates every scalar as text before it knows which fields are
 * expressions; it keeps each interpolated scalar's template here, and the validator of an
 * `expr` field interpolates the template again with `interpolateExpression`:
 *
 * - inside a string literal (`"…"`, `'…'`, triple-quoted), the value becomes the literal's
 *   text, escaped (`\\`, the quote, newlines): `name == "${NAME}"` compares with NAME exactly;
 * - inside a raw string (`r"…"`) a value that would end the literal is refused;
 * - outside a literal the value must be a number, `true`, `false` or `null`; anything else is
 *   refused, with the advice to quote it.
 */
import type { Env } from './interpolate.ts';

/** The text as written and the environment of each interpolated scalar node. */
const templates = new WeakMap<object, { readonly template: string; readonly env: Env }>();

export function rememberTemplate(node: object, template: string, env: Env): void {
  templates.set(node, { template, env });
}

export function templateOf(node: object | undefined): { readonly template: string; readonly env: Env } | undefined {
  return node ? templates.get(node) : undefined;
}

export interface InterpolatedExpression {
  readonly value: string;
  readonly problems: readonly string[];
}

const REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/;
const PLAIN_LITERAL = /^(?:-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?u?|0x[0-9a-fA-F]+u?|true|false|null)$/;

interface Literal {
  readonly quote: string;
  readonly raw: boolean;
}

function escapeFor(value: string, literal: Literal): string | undefined {
  if (literal.raw) {
    const ends = value.includes(literal.quote) || (literal.quote.length === 1 && /[\r\n]/.test(value));
    return ends ? undefined : value;
  }
  const q = literal.quote[0]!;
  return value.replace(/[\\\r\n]|["']/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === q ? `\\${c}` : c));
}

/** Interpolates `template` as a CEL expression; see the module comment. */
export function interpolateExpression(template: string, env: Env): InterpolatedExpression {
  const problems: string[] = [];
  let out = '';
  let literal: Literal | undefined;
  let i = 0;
  while (i < template.length) {
    const c = template[i]!;
    if (template.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    const ref = c === '$' ? REFERENCE.exec(template.slice(i)) : null;
    if (ref) {
      const [whole, name, fallback] = ref as unknown as [string, string, string | undefined];
      const set = env[name];
      // As interpolate(): an unset variable without a default is reported by the YAML reader.
      const value = set !== undefined && (set !== '' || fallback === undefined) ? set : (fallback ?? '');
      if (literal) {
        const escaped = escapeFor(value, literal);
        if (escaped === undefined) problems.push(`\${${name}} would end the raw string it is in; use a plain string literal ("\${${name}}")`);
        out += escaped ?? '';
      } else if (PLAIN_LITERAL.test(value)) out += value;
      else {
        problems.push(`\${${name}} outside a string literal must be a number, true, false or null, got ${JSON.stringify(value.slice(0, 40))}; to compare with text, quote it: "\${${name}}"`);
      }
      i += whole.length;
      continue;
    }
    if (literal) {
      if (!literal.raw && c === '\\') {
        out += template.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (template.startsWith(literal.quote, i)) {
        out += literal.quote;
        i += literal.quote.length;
        literal = undefined;
        continue;
      }
    } else if (c === '"' || c === "'") {
      const triple = template.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      const prefix = /(?:^|[^A-Za-z0-9_])([rRbB]{1,2})$/.exec(out)?.[1] ?? '';
      literal = { quote, raw: /[rR]/.test(prefix) };
      out += quote;
      i += quote.length;
      continue;
    }
    out += c;
    i++;
  }
  return { value: out, problems };
}
