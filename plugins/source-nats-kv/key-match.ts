/** NATS subject-style key patterns: `*` matches one token, `>` the rest (one token or more). */

export type KeyMatcher = (key: string) => boolean;

function matchOne(pattern: readonly string[], key: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p === '>') return key.length > i;
    if (i >= key.length || (p !== '*' && p !== key[i])) return false;
  }
  return key.length === pattern.length;
}

export function keyMatcher(patterns: readonly string[]): KeyMatcher {
  if (patterns.includes('>')) return () => true;
  const split = patterns.map((p) => p.split('.'));
  return (key) => {
    const tokens = key.split('.');
    return split.some((p) => matchOne(p, tokens));
  };
}
