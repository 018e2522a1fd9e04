/**
 * Compiles the `fields` description into generator functions, once per output. Each
 * function draws from the record's PRNG (already seeded for the record) and may use the
 * record's index; none allocates beyond the value it returns.
 */
import type { FieldType } from '../../core/api/index.ts';
import type { Prng } from './prng.ts';
import type { FieldGenConfig } from './spec.ts';

export type FieldGen = (prng: Prng, index: number) => unknown;

export interface CompiledField {
  readonly name: string;
  readonly gen: FieldGen;
  readonly type: FieldType;
}

function toNumber(value: number | string, what: string): number {
  if (typeof value === 'number') return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`${what}: '${value}' is neither a number nor an ISO-8601 time`);
  return ms;
}

function typeOf(value: unknown): FieldType {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  if (Array.isArray(value)) return 'list';
  if (value !== null && typeof value === 'object') return 'map';
  return 'dyn';
}

function commonType(values: readonly unknown[]): FieldType {
  const types = new Set(values.map(typeOf));
  if (types.size === 1) return [...types][0]!;
  if (types.size === 2 && types.has('int') && types.has('double')) return 'double';
  return 'dyn';
}

export function compileField(name: string, config: FieldGenConfig): CompiledField {
  const c = config as Record<string, unknown>;
  if ('int' in c) {
    const [min, max] = (c.int as number[]).map(Math.round) as [number, number];
    if (max < min) throw new RangeError(`field '${name}': int range [${min}, ${max}] is empty`);
    return { name, type: 'int', gen: (p) => min + Math.floor(p.next() * (max - min + 1)) };
  }
  if ('float' in c) {
    const [min, max] = c.float as [number, number];
    if (max < min) throw new RangeError(`field '${name}': float range [${min}, ${max}] is empty`);
    const width = max - min;
    return { name, type: 'double', gen: (p) => min + p.next() * width };
  }
  if ('one_of' in c) {
    const values = c.one_of as unknown[];
    const n = values.length;
    return { name, type: commonType(values), gen: (p) => values[Math.floor(p.next() * n)] };
  }
  if ('sequence' in c) {
    const s = c.sequence as { start: number | string; step: number; jitter: number };
    const start = toNumber(s.start, `field '${name}' start`);
    const { step, jitter } = s;
    if (jitter < 0) throw new RangeError(`field '${name}': jitter must not be negative`);
    const integral = Number.isInteger(start) && Number.isInteger(step) && Number.isInteger(jitter);
    const type: FieldType = integral ? 'int' : 'double';
    if (jitter === 0) return { name, type, gen: (_p, i) => start + i * step };
    return { name, type, gen: (p, i) => start + i * step - Math.floor(p.next() * (jitter + 1)) };
  }
  if ('id' in c) {
    const prefix = c.id as string;
    return { name, type: 'string', gen: (_p, i) => prefix + i };
  }
  if ('bool' in c) {
    const probability = c.bool as number;
    return { name, type: 'bool', gen: (p) => p.next() < probability };
  }
  if ('const' in c) {
    const value = c.const;
    return { name, type: typeOf(value), gen: () => value };
  }
  throw new RangeError(`field '${name}': unknown generator ${JSON.stringify(config)}`);
}

export function compileFields(fields: Readonly<Record<string, FieldGenConfig>>): CompiledField[] {
  return Object.entries(fields).map(([name, config]) => compileField(name, config));
}
