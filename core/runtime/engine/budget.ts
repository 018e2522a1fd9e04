/**
 * `maxEvents`: the job stops after this many source records (all sources together, over the
 * whole run: a restored checkpoint's count is spent already), then finishes as at end of
 * input. Sources poll at most what is left; a poll that brings more is cut, and the job then
 * knows its sources' positions are past what it admitted.
 */
import type { SourceChunk } from '../../api/index.ts';

function chunkSize(chunk: SourceChunk): number {
  return chunk.values?.length ?? chunk.payloads?.length ?? 0;
}

function slice<T>(a: readonly T[] | undefined, n: number): readonly T[] | undefined {
  return a === undefined ? undefined : a.slice(0, n);
}

export class EventBudget {
  private left: number;
  /** True when a poll brought more than was left and was cut. */
  overshot = false;

  constructor(
    max: number | undefined,
    private readonly onExhausted: () => void,
  ) {
    this.left = max === undefined ? Number.POSITIVE_INFINITY : max;
  }

  get remaining(): number {
    return this.left;
  }

  get limited(): boolean {
    return Number.isFinite(this.left) || this.overshot;
  }

  exhausted(): void {
    this.onExhausted();
  }

  /** Records the restored checkpoint had read: spent before this attempt reads anything. */
  spend(n: number): void {
    if (!Number.isFinite(this.left) || n <= 0) return;
    this.left = Math.max(0, this.left - n);
    if (this.left === 0) this.onExhausted();
  }

  /** Takes the records of one poll from the budget, cutting what goes past it. */
  cut(chunks: readonly SourceChunk[]): readonly SourceChunk[] {
    if (!Number.isFinite(this.left)) return chunks;
    let out: SourceChunk[] | undefined;
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      const n = chunkSize(c);
      if (n <= this.left) {
        this.left -= n;
        out?.push(c);
        continue;
      }
      out ??= chunks.slice(0, i);
      this.overshot = true;
      if (this.left > 0) {
        const k = this.left;
        const cut: SourceChunk = {
          partition: c.partition,
          ...(c.output !== undefined ? { output: c.output } : {}),
          ...(c.values ? { values: c.values.slice(0, k) } : {}),
          ...(c.payloads ? { payloads: c.payloads.slice(0, k) } : {}),
          ...(c.times ? { times: slice(c.times, k)! } : {}),
          ...(c.offsets ? { offsets: slice(c.offsets, k)! } : {}),
          ...(c.lines ? { lines: slice(c.lines, k)! } : {}),
          ...(c.meta ? { meta: slice(c.meta, k)! } : {}),
        };
        out.push(cut);
        this.left = 0;
      }
    }
    if (this.left === 0) this.onExhausted();
    return out ?? chunks;
  }
}

/** Waits `ms` real milliseconds. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
