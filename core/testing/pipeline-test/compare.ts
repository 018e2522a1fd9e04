/**
 * Compares what reached an output with what a pipeline test expects, and words the
 * differences for people: per output, the rows that differ (paired with the closest actual
 * row, field by field), the rows missing and the rows unexpected.
 *
 * Two ways to match (docs/pipeline-tests.md): sinks compare whole rows exactly; the late
 * and dead-letter outputs compare by subset (an expected entry matches an actual one on the
 * fields it lists, nested mappings by subset too). Either as a multiset (default) or in
 * arrival order.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Row } from '../../api/index.ts';
import { isPlainObject } from '../../runtime/spec/describe.ts';
import { showRow, showValue } from './show.ts';

export type Match = 'exact' | 'subset';

/** Whether `actual` has every field of `expected` (nested mappings by subset, the rest equal). */
export function subsetMatches(expected: unknown, actual: unknown): boolean {
  if (isPlainObject(expected) && isPlainObject(actual)) {
    return Object.entries(expected).every(([k, v]) => Object.hasOwn(actual, k) && subsetMatches(v, actual[k]));
  }
  return isDeepStrictEqual(expected, actual);
}

function matches(how: Match, expected: Row, actual: Row): boolean {
  return how === 'exact' ? isDeepStrictEqual(expected, actual) : subsetMatches(expected, actual);
}

/**
 * A maximum matching of expected to actual rows (Kuhn's augmenting paths): with subset
 * matching, a greedy pass could give an actual row to a vague expectation that a precise
 * one needed. Sizes are a test's, so the quadratic cost does not matter.
 */
function maximumMatching(expected: readonly Row[], actual: readonly Row[], how: Match): (number | undefined)[] {
  const edges = expected.map((e) => actual.flatMap((a, j) => (matches(how, e, a) ? [j] : [])));
  const ownerOf: (number | undefined)[] = actual.map(() => undefined);
  const augment = (i: number, seen: Set<number>): boolean => {
    for (const j of edges[i]!) {
      if (seen.has(j)) continue;
      seen.add(j);
      const owner = ownerOf[j];
      if (owner === undefined || augment(owner, seen)) {
        ownerOf[j] = i;
        return true;
      }
    }
    return false;
  };
  expected.forEach((_, i) => augment(i, new Set()));
  const pairOf: (number | undefined)[] = expected.map(() => undefined);
  ownerOf.forEach((i, j) => {
    if (i !== undefined) pairOf[i] = j;
  });
  return pairOf;
}

/** Fields of `expected` that `actual` does not match: `clicks: expected 3, got 2`. */
export function fieldDifferences(expected: Row, actual: Row, how: Match): string[] {
  const keys = how === 'exact' ? [...new Set([...Object.keys(expected), ...Object.keys(actual)])] : Object.keys(expected);
  return keys.flatMap((k) => {
    const has = Object.hasOwn(actual, k);
    if (!Object.hasOwn(expected, k)) return [`${k}: not expected, got ${showValue(actual[k])}`];
    if (!has) return [`${k}: expected ${showValue(expected[k])}, missing`];
    const same = how === 'exact' ? isDeepStrictEqual(expected[k], actual[k]) : subsetMatches(expected[k], actual[k]);
    return same ? [] : [`${k}: expected ${showValue(expected[k])}, got ${showValue(actual[k])}`];
  });
}

/** How many fields of `expected` the actual row matches (to pair a missing row with its closest). */
function likeness(expected: Row, actual: Row, how: Match): number {
  return Object.keys(expected).filter((k) => Object.hasOwn(actual, k) && (how === 'exact' ? isDeepStrictEqual(expected[k], actual[k]) : subsetMatches(expected[k], actual[k]))).length;
}

/** The fields an expected row and its closest actual row share: what identifies the row in a message. */
function sharedPart(expected: Row, actual: Row): Row {
  return Object.fromEntries(Object.entries(expected).filter(([k, v]) => isDeepStrictEqual(v, actual[k])));
}

function unorderedDifferences(expected: readonly Row[], actual: readonly Row[], how: Match): string[] {
  const pairs = maximumMatching(expected, actual, how);
  const used = new Set(pairs.filter((j): j is number => j !== undefined));
  const missing = expected.flatMap((_, i) => (pairs[i] === undefined ? [i] : []));
  const unexpected = new Set(actual.flatMap((_, j) => (used.has(j) ? [] : [j])));
  const lines: string[] = [];
  const gone: string[] = [];
  for (const i of missing) {
    const e = expected[i]!;
    // Pair with the unmatched actual row sharing the most fields: at least half of them.
    let best: number | undefined;
    let bestScore = Math.max(1, Math.ceil(Object.keys(e).length / 2)) - 1;
    for (const j of unexpected) {
      const score = likeness(e, actual[j]!, how);
      if (score > bestScore) [best, bestScore] = [j, score];
    }
    if (best === undefined) {
      gone.push(`- missing     ${showRow(e)}`);
      continue;
    }
    unexpected.delete(best);
    lines.push(`~ different  ${showRow(sharedPart(e, actual[best]!))}  ${fieldDifferences(e, actual[best]!, how).join('; ')}`);
  }
  return [...lines, ...gone, ...[...unexpected].map((j) => `+ unexpected  ${showRow(actual[j]!)}`)];
}

function orderedDifferences(expected: readonly Row[], actual: readonly Row[], how: Match): string[] {
  const lines: string[] = [];
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    const e = expected[i];
    const a = actual[i];
    if (e === undefined) lines.push(`+ unexpected  #${i + 1} ${showRow(a!)}`);
    else if (a === undefined) lines.push(`- missing     #${i + 1} ${showRow(e)}`);
    else if (!matches(how, e, a)) lines.push(`~ different  #${i + 1} ${showRow(e)}  ${fieldDifferences(e, a, how).join('; ')}`);
  }
  return lines;
}

/**
 * The differences between what `output` expected and what arrived; empty when they match.
 * The first line sums them up, the rest (one per row) start with `~`, `-` or `+`.
 */
export function compareOutput(output: string, expected: readonly Row[], actual: readonly Row[], options: { how: Match; ordered: boolean }): string[] {
  const rows = options.ordered ? orderedDifferences(expected, actual, options.how) : unorderedDifferences(expected, actual, options.how);
  if (rows.length === 0 && expected.length === actual.length) return [];
  const count = (mark: string) => rows.filter((r) => r.startsWith(mark)).length;
  const how = options.how === 'subset' ? ', matched on the fields listed' : '';
  const order = options.ordered ? ', in order' : '';
  const head = `${output}: ${expected.length} expected, ${actual.length} arrived${how}${order} — ${count('~')} different, ${count('-')} missing, ${count('+')} unexpected`;
  return [head, ...rows.map((r) => `  ${r}`)];
}
