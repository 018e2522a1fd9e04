/**
 * A plugin's config spec as rows of a Markdown table: every field, nested fields by dotted
 * path, with its type, whether it is required, its default, doc, allowed values, example
 * and secret flag.
 */
import { stringify } from 'yaml';
import type { FieldSpec } from '../../api/index.ts';

export interface FieldRow {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly default: string;
  /** Doc, allowed values, example and secret note, as Markdown on one line. */
  readonly description: string;
}

export function typeName(spec: FieldSpec, inUnion = false): string {
  switch (spec.type) {
    case 'object':
      // Forms of a union are told apart by their keys: `{tumbling}` or `{sliding, slide}`.
      return inUnion ? `{${Object.keys(spec.fields).join(', ')}}` : 'object';
    case 'number': {
      const range = spec.min !== undefined || spec.max !== undefined ? ` ${spec.min ?? '−∞'}…${spec.max ?? '∞'}` : '';
      return `${spec.integer ? 'integer' : 'number'}${range}`;
    }
    case 'duration':
      return 'duration';
    case 'enum':
      return 'enum';
    case 'array':
      return `list of ${typeName(spec.items)}`;
    case 'map':
      return `map of ${typeName(spec.values)}`;
    case 'expr':
      return spec.scope === 'join' ? 'CEL expression (left, right)' : 'CEL expression';
    case 'union':
      return spec.options.map((o) => typeName(o, true)).join(' or ');
    case 'plugin':
      return `${spec.kind.replace(/_/g, ' ')} name`;
    default:
      return spec.type;
  }
}

/** A value as it would be written in YAML, inline. */
export function inline(value: unknown): string {
  if (typeof value === 'string') return value;
  return stringify(value, { collectionStyle: 'flow', flowCollectionPadding: false, lineWidth: 0 }).trimEnd();
}

function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** Escapes what would break a table cell. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function isRequired(spec: FieldSpec): boolean {
  if (spec.optional || spec.default !== undefined) return false;
  // An object whose every field may be left out may itself be left out.
  if (spec.type === 'object') return Object.values(spec.fields).some(isRequired);
  return true;
}

/** The union a field is or holds (a map or list of a union), if any. */
function unionOf(spec: FieldSpec): Extract<FieldSpec, { type: 'union' }> | undefined {
  if (spec.type === 'union') return spec;
  if (spec.type === 'map') return unionOf(spec.values);
  if (spec.type === 'array') return unionOf(spec.items);
  return undefined;
}

function describe(spec: FieldSpec): string {
  const parts = [spec.doc.trim()];
  const union = unionOf(spec);
  if (union) parts.push(`Forms: ${union.options.map((o) => `${code(typeName(o, true))}${o.doc.trim() ? ` — ${o.doc.trim()}` : ''}`).join(' ')}`);
  if (spec.type === 'enum') parts.push(`Allowed: ${spec.values.map(code).join(', ')}.`);
  if (spec.type === 'string' && spec.pattern) parts.push(`Pattern: ${code(spec.pattern)}.`);
  if (spec.type === 'string' && spec.path) parts.push('A relative path resolves against the pipeline file\'s folder, unless it starts with a `${VAR}` (then against the working directory).');
  if (spec.type === 'duration' && spec.min !== undefined) parts.push(`At least ${spec.min} ms.`);
  if (spec.type === 'expr' && spec.returns === 'bool') parts.push('Must be true or false.');
  if (spec.example !== undefined) parts.push(`Example: ${code(inline(spec.example))}.`);
  if (spec.secret) parts.push('**Secret**: redacted wherever config is printed or logged.');
  return cell(parts.filter((p) => p !== '').join(' '));
}

function row(path: string, spec: FieldSpec): FieldRow {
  return {
    path,
    type: typeName(spec),
    required: isRequired(spec),
    default: spec.default === undefined ? '' : code(inline(spec.default)),
    description: describe(spec),
  };
}

/** Rows for every field below `spec` (an object spec's fields; nothing for a leaf). */
export function fieldRows(spec: FieldSpec, prefix = ''): FieldRow[] {
  const rows: FieldRow[] = [];
  const nested = (child: FieldSpec, path: string): void => {
    if (child.type === 'object') rows.push(...fieldRows(child, path));
    if (child.type === 'array' && child.items.type === 'object') rows.push(...fieldRows(child.items, `${path}[]`));
    if (child.type === 'map' && child.values.type === 'object') rows.push(...fieldRows(child.values, `${path}.<key>`));
    if (child.type === 'union') {
      child.options.forEach((option, i) => {
        if (option.type === 'object') rows.push(...fieldRows(option, `${path}{${i + 1}}`));
      });
    }
  };
  if (spec.type !== 'object') return rows;
  for (const [name, child] of Object.entries(spec.fields)) {
    const path = prefix ? `${prefix}.${name}` : name;
    rows.push(row(path, child));
    nested(child, path);
  }
  return rows;
}

/** The Markdown table of a spec's fields, or a sentence when it has none. */
export function fieldTable(spec: FieldSpec): string {
  const rows = fieldRows(spec);
  if (rows.length === 0) return 'This plugin takes no configuration: write `{}`.\n';
  const lines = ['| Field | Type | Required | Default | Description |', '|---|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${code(r.path)} | ${cell(r.type)} | ${r.required ? 'yes' : 'no'} | ${r.default} | ${r.description} |`);
  const unions = rows.some((r) => /\{\d+\}/.test(r.path));
  return `${lines.join('\n')}\n${unions ? '\n`field{n}.x`: field `x` of the n-th form a field may take (its type lists the forms in order).\n' : ''}`;
}
