/** "Did you mean" suggestions for near misses (unknown keys, plugins, inputs, variables). */

/** Levenshtein distance, bailing out once it exceeds `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest candidate within `maxDistance` edits (2 by default), if any. */
export function closest(word: string, candidates: Iterable<string>, maxDistance = 2): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase(), maxDistance);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
}

/**
 * A looser "did you mean" for choosing among a few alternatives (union keys, enum values),
 * where a writer's guess may be far in edits but close in meaning: the closest candidate
 * within a third of the word's length (at least 2 edits), else one that contains the word
 * or is contained in it (`distinct_count` → `distinct`), at least 3 characters long.
 */
export function nearMiss(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const close = closest(word, candidates, Math.max(2, Math.floor(w.length / 3)));
  if (close !== undefined) return close;
  const containing = candidates.filter((c) => {
    const l = c.toLowerCase();
    return Math.min(l.length, w.length) >= 3 && (l.includes(w) || w.includes(l));
  });
  // The longest overlap is the likeliest meaning.
  return containing.sort((a, b) => b.length - a.length)[0];
}
