/**
 * Static checks of CEL expressions for lint and the spec validator: parse errors, unknown
 * variables when the fields are known, type errors, and a predicate that cannot be a bool.
 */
import type { Environment } from '@marcbachmann/cel-js';
import type { ExprScope, FieldType } from '../../api/index.ts';
import { didYouMean } from '../spec/suggest.ts';
import { celType, checkingEnvironment, SELF } from './environment.ts';
import { describeCelError, unknownVariable } from './errors.ts';

export type KnownFields = Readonly<Record<string, FieldType>>;

/** Known fields of the two sides of a join (scope `join`); a side left out is unknown. */
export interface JoinFields {
  readonly left?: KnownFields;
  readonly right?: KnownFields;
}

function schemaOf(fields: KnownFields): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([name, type]) => [name, celType(type)]));
}

function environmentFor(scope: ExprScope, fields: KnownFields | JoinFields | undefined): Environment {
  if (scope === 'join') {
    const sides = (fields ?? {}) as JoinFields;
    return checkingEnvironment({
      left: sides.left ? schemaOf(sides.left) : 'dyn',
      right: sides.right ? schemaOf(sides.right) : 'dyn',
    });
  }
  if (!fields) return checkingEnvironment(undefined);
  const record = fields as KnownFields;
  // `self` stays an open map: `has(self.discount)` guards a field the stream may not declare.
  return checkingEnvironment({ ...schemaOf(record), [SELF]: 'map' });
}

function candidateNames(scope: ExprScope, fields: KnownFields | JoinFields | undefined): string[] {
  if (scope === 'join') {
    const sides = (fields ?? {}) as JoinFields;
    return ['left', 'right', ...Object.keys(sides.left ?? {}), ...Object.keys(sides.right ?? {})];
  }
  return fields ? [SELF, ...Object.keys(fields)] : [];
}

/**
 * Returns the problems of `source` (empty when it is fine). `fields` are the known fields
 * of the input record (scope `record`) or of each side (scope `join`, as `JoinFields`);
 * without them any variable is accepted in scope `record`.
 */
export function checkExpression(
  source: string,
  scope: ExprScope,
  fields?: KnownFields | JoinFields,
  returns: 'bool' | 'any' = 'any',
): string[] {
  if (typeof source !== 'string' || source.trim() === '') return ['a CEL expression cannot be empty'];
  const result = environmentFor(scope, fields).check(source);
  if (!result.valid) {
    const error = result.error;
    const unknown = unknownVariable(error);
    if (unknown !== undefined) {
      return [`CEL: unknown field or variable "${unknown}"${didYouMean(unknown, candidateNames(scope, fields))}`];
    }
    const key = /^No such key: (\S+)/.exec((error as { summary?: string } | undefined)?.summary ?? '')?.[1];
    const hint = key === undefined ? '' : didYouMean(key, candidateNames(scope, fields));
    return [`CEL: ${describeCelError(error)}${hint}`];
  }
  if (returns === 'bool' && result.type !== 'bool' && result.type !== 'dyn') {
    return [`CEL: a predicate must return bool, but this returns ${result.type}`];
  }
  return [];
}
