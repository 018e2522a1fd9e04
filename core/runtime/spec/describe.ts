/** Words for field specs in messages and hints: what a field expects, its doc, its values. */
import type { FieldSpec } from '../../api/index.ts';

/** `a string`, `a duration such as 30s`, `one of json, raw`. */
export function expected(spec: FieldSpec): string {
  switch (spec.type) {
    case 'string':
      return 'a string';
    case 'number':
      return spec.integer ? 'an integer' : 'a number';
    case 'boolean':
      return 'true or false';
    case 'duration':
      return 'a duration such as 30s, 5m or 3d';
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping';
    case 'map':
      return 'a mapping';
    case 'expr':
      return 'a CEL expression (a string)';
    case 'union':
      return unionExpectation(spec);
    case 'plugin':
      return `the name of a ${spec.kind} plugin`;
    case 'any':
      return 'any value';
  }
}

/** `a string`, `a number`, `a list`, `a mapping`, `null`: what a YAML value is. */
export function actual(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

/** The field's doc, its allowed values and an example: the hint printed under a problem. */
export function hintFor(spec: FieldSpec): string | undefined {
  const parts: string[] = [];
  if (spec.doc) parts.push(spec.doc.trim());
  if (spec.type === 'enum') parts.push(`Allowed: ${spec.values.join(', ')}.`);
  if (spec.type === 'object') {
    const keys = Object.keys(spec.fields);
    if (keys.length > 0) parts.push(`Keys: ${keys.join(', ')}.`);
  }
  if (spec.example !== undefined && !spec.secret) parts.push(`Example: ${JSON.stringify(spec.example)}.`);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** Whether a value is of the broad kind a spec takes (for picking the closest union alternative). */
export function kindMatches(spec: FieldSpec, value: unknown): boolean {
  switch (spec.type) {
    case 'string':
    case 'expr':
    case 'enum':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'duration':
      return typeof value === 'string' || typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
    case 'map':
      return isPlainObject(value);
    case 'union':
      return spec.options.some((o) => kindMatches(o, value));
    case 'plugin':
      return typeof value === 'string';
    case 'any':
      return true;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How an alternative is written, briefly: `count`, `{sum: …}`, `{size, offset}`, `a duration`. */
export function shapeOf(spec: FieldSpec): string {
  switch (spec.type) {
    case 'enum':
      return spec.values.join(', ');
    case 'object': {
      const keys = Object.keys(spec.fields);
      return keys.length === 1 ? `{${keys[0]}: …}` : `{${keys.join(', ')}}`;
    }
    case 'union':
      return spec.options.map(shapeOf).join(', ');
    case 'array':
      return 'a list';
    case 'map':
      return 'a mapping';
    case 'duration':
      return 'a duration';
    case 'number':
      return spec.integer ? 'an integer' : 'a number';
    case 'boolean':
      return 'true or false';
    case 'expr':
      return 'a CEL expression';
    case 'string':
      return 'a string';
    case 'plugin':
      return `a ${spec.kind} plugin`;
    case 'any':
      return 'any value';
  }
}

/** `one of count, {sum: …}, {min: …}` (or just the shape when there is one). */
export function unionExpectation(spec: Extract<FieldSpec, { type: 'union' }>): string {
  const shapes = spec.options.map(shapeOf);
  return shapes.length === 1 ? shapes[0]! : `one of ${shapes.join(', ')}`;
}
