/**
 * Validates one layer of the runtime config on its own against the convict schema (the
 * schema defaults fill what the layer leaves out), and returns its values per field, coerced
 * (durations to ms, numbers from text), together with the problems per field.
 */
import { newRuntimeConfig } from '../../../config/schema.ts';
import { didYouMean } from '../spec/suggest.ts';
import { configFields } from './fields.ts';

export interface LayerProblem {
  /** `unknown`: no field has this path. `invalid`: the value fails the field's format. */
  readonly kind: 'unknown' | 'invalid';
  readonly path: string;
  readonly message: string;
}

export interface ValidatedLayer {
  /** The valid values this layer sets, coerced, by dotted path. */
  readonly leaves: ReadonlyMap<string, unknown>;
  readonly problems: readonly LayerProblem[];
}

const UNDECLARED = /^configuration param '(.+)' not declared in the schema$/;
const MISSING = /^configuration param '(.+)' missing from config, did you override its parent\?$/;
const INVALID = /^([\w.]+): (.*)$/;

function isSection(path: string): boolean {
  return configFields().some((f) => f.path.startsWith(`${path}.`));
}

function lookup(values: Record<string, unknown>, path: string): { found: boolean; value: unknown } {
  let node: unknown = values;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key)) {
      return { found: false, value: undefined };
    }
    node = (node as Record<string, unknown>)[key];
  }
  return { found: true, value: node };
}

/** The longest prefix of `path` that the layer sets to something other than a mapping. */
function overriddenParent(values: Record<string, unknown>, path: string): string {
  const parts = path.split('.');
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join('.');
    const { found, value } = lookup(values, prefix);
    if (found && (typeof value !== 'object' || value === null || Array.isArray(value))) return prefix;
  }
  return path;
}

const ENUM = /^must be one of the possible values: (\[.*\]): value was (".*"|\S+)$/;

/**
 * convict's enum message (`must be one of the possible values: ["a","b"]: value was "c"`)
 * in the words of lint's: `must be one of a, b: value was "c" (did you mean "a"?)`.
 */
function plainEnumMessage(message: string): string {
  const m = ENUM.exec(message);
  if (!m) return message;
  let values: unknown;
  let got: unknown;
  try {
    values = JSON.parse(m[1]!);
    got = JSON.parse(m[2]!);
  } catch {
    return message;
  }
  if (!Array.isArray(values)) return message;
  const near = typeof got === 'string' ? didYouMean(got, values.map(String)) : '';
  return `must be one of ${values.join(', ')}: value was ${m[2]}${near}`;
}

export function validateLayer(values: Record<string, unknown>): ValidatedLayer {
  const cfg = newRuntimeConfig();
  cfg.load(values);
  const problems: LayerProblem[] = [];
  try {
    cfg.validate({ allowed: 'strict' });
  } catch (error) {
    const seen = new Set<string>();
    for (const line of (error as Error).message.split('\n')) {
      let m: RegExpExecArray | null;
      let problem: LayerProblem;
      if ((m = UNDECLARED.exec(line)) && isSection(m[1]!)) {
        problem = { kind: 'invalid', path: m[1]!, message: `'${m[1]}' must be a mapping of its fields` };
      } else if (m) {
        problem = { kind: 'unknown', path: m[1]!, message: `unknown key '${m[1]}'` };
      } else if ((m = MISSING.exec(line))) {
        const parent = overriddenParent(values, m[1]!);
        problem = { kind: 'invalid', path: parent, message: `'${parent}' must be a mapping of its fields` };
      } else if ((m = INVALID.exec(line))) {
        problem = { kind: 'invalid', path: m[1]!, message: plainEnumMessage(m[2]!) };
      } else {
        problem = { kind: 'invalid', path: '', message: line };
      }
      const id = `${problem.kind}:${problem.path}`;
      if (!seen.has(id)) problems.push(problem);
      seen.add(id);
    }
  }
  const bad = problems.map((p) => p.path);
  const leaves = new Map<string, unknown>();
  for (const field of configFields()) {
    if (bad.some((b) => b === field.path || field.path.startsWith(`${b}.`))) continue;
    if (lookup(values, field.path).found) leaves.set(field.path, cfg.get(field.path as never));
  }
  return { leaves, problems };
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Builds a nested object from dotted paths: `{'a.b': 1}` → `{a: {b: 1}}`. */
export function nest(entries: Iterable<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of entries) {
    const parts = path.split('.');
    if (parts.some((p) => FORBIDDEN.has(p))) continue;
    let node = out;
    for (const part of parts.slice(0, -1)) {
      if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return out;
}
