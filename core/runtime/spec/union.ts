/**
 * Diagnostics for unions. A union of single-key mappings (`count`, `{sum: f}`, `{min: f}`,
 * …) is chosen by its key, so when no alternative validates, the problem is reported the
 * way a reader thinks of it: when exactly one alternative has the value's key, that
 * alternative's own problems; when none has it, one error at the value naming the unknown
 * key, with a "did you mean" for a near miss, and listing the shapes allowed; when several do, one error asking
 * for one of them. Not the first alternative's problems, which would talk about a key
 * (`missing required key "sum"`) the writer never meant.
 */
import type { FieldSpec } from '../../api/index.ts';
import { isPlainObject, unionExpectation } from './describe.ts';
import { nearMiss } from './suggest.ts';

type Union = Extract<FieldSpec, { type: 'union' }>;
type ObjectOption = Extract<FieldSpec, { type: 'object' }>;

export type BranchChoice =
  /** The value's keys select this alternative: report its problems only. */
  | { readonly kind: 'branch'; readonly option: FieldSpec }
  /** One error at the value. */
  | { readonly kind: 'error'; readonly code: 'E_CONFIG_INVALID' | 'E_UNKNOWN_KEY'; readonly message: string };

function keysOf(option: ObjectOption): string[] {
  return Object.keys(option.fields);
}

/** The value as a reader sees it: `{distinct_count: …}`, `the string "cont"`. */
function shown(value: unknown): string {
  if (isPlainObject(value)) return `{${Object.keys(value).join(', ')}${Object.keys(value).length === 1 ? ': …' : ''}}`;
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return String(value);
}

function suggestion(words: readonly string[], candidates: readonly string[]): string {
  for (const w of words) {
    const near = nearMiss(w, candidates);
    if (near !== undefined) return ` (did you mean "${near}"?)`;
  }
  return '';
}

/**
 * Which report fits a value no alternative accepted, given the alternatives of its kind
 * (`candidates`); undefined when the union is not chosen by keys or by enum values (then
 * the closest alternative's problems are reported, as before).
 */
export function chooseBranch(spec: Union, candidates: readonly FieldSpec[], value: unknown): BranchChoice | undefined {
  const expectation = unionExpectation(spec);
  if (isPlainObject(value)) {
    if (candidates.length === 0 || candidates.some((c) => c.type !== 'object')) return undefined;
    const objects = candidates as readonly ObjectOption[];
    const written = Object.keys(value);
    const scores = objects.map((o) => written.filter((k) => keysOf(o).includes(k)).length);
    const best = Math.max(...scores);
    if (best > 0) {
      const top = objects.filter((_, i) => scores[i] === best);
      if (top.length === 1) return { kind: 'branch', option: top[0]! };
      const keys = written.filter((k) => top.some((o) => keysOf(o).includes(k)));
      return { kind: 'error', code: 'E_CONFIG_INVALID', message: `expected ${expectation}, got ${shown(value)}: ${keys.map((k) => `"${k}"`).join(' and ')} are alternatives, give one` };
    }
    const all = [...new Set(objects.flatMap(keysOf))];
    const unknown = `unknown key${written.length === 1 ? '' : 's'} ${written.map((k) => `"${k}"`).join(', ')}`;
    return { kind: 'error', code: 'E_UNKNOWN_KEY', message: `${unknown}${suggestion(written, all)}: expected ${expectation}` };
  }
  if (typeof value === 'string') {
    const enums = candidates.filter((c): c is Extract<FieldSpec, { type: 'enum' }> => c.type === 'enum');
    // A string that another alternative (a free string, a duration) might take is its business.
    if (enums.length === 0 || enums.length !== candidates.length) return undefined;
    return { kind: 'error', code: 'E_CONFIG_INVALID', message: `expected ${expectation}, got ${shown(value)}${suggestion([value], enums.flatMap((e) => e.values))}` };
  }
  return undefined;
}
