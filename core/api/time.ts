/**
 * Time: event time is epoch milliseconds carried by each record; processing time comes from
 * an injectable clock so runs are reproducible in tests and on the embedded default.
 */

/** The lowest watermark: nothing has been seen yet. */
export const MIN_WATERMARK = Number.NEGATIVE_INFINITY;
/** The end-of-input watermark: every window and timer fires. */
export const MAX_WATERMARK = Number.POSITIVE_INFINITY;

/**
 * Processing-time clock. The runtime provides the system clock by default; tests and the
 * embedded default register a logical clock under the `clock` service.
 */
export interface Clock {
  /** Milliseconds since the epoch, processing time. */
  now(): number;
}

/** A clock the caller moves by hand (tests, logical time on the embedded default). */
export class ManualClock implements Clock {
  constructor(private current = 0) {}
  now(): number {
    return this.current;
  }
  /** Moves the clock forward by `ms`; the clock never goes back. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('a clock never goes back');
    this.current += ms;
  }
  set(ms: number): void {
    if (ms < this.current) throw new RangeError('a clock never goes back');
    this.current = ms;
  }
}

export const systemClock: Clock = { now: () => Date.now() };

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a duration such as `30s`, `5m`, `3d`, `1h30m`, `250ms`, `-1h` or `0`. Returns
 * milliseconds, or undefined when the text is not a duration.
 */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text : undefined;
  const s = text.trim();
  if (s === '0') return 0;
  const m = /^(-)?((?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+)$/.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) {
    total += Number(part[1]) * UNIT_MS[part[2]!]!;
  }
  return m[1] ? -total : total;
}

/** Formats milliseconds as the shortest duration text `parseDuration` reads back. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  let out = '';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000], ['ms', 1]] as const) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return sign + out;
}
