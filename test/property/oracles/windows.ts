/**
 * Naive event-time windows with allowed lateness (docs/architecture.md §3–§4, Flink's semantics),
 * aggregating count, sum and max of `v` per key `k`. Imports nothing from the runtime.
 *
 * - Windows are [s, e); a record joins each window holding it with e − 1 + lateness > W
 *   (W: the watermark before its batch); if none, it is late (`window_closed`).
 * - A window is emitted when W reaches e − 1 (`insert` the first time, `update` after); a
 *   record that lands in a window already past e − 1 re-emits it once at the end of its
 *   batch. State goes when W reaches e − 1 + lateness.
 * - Sessions: [t, t + gap) merges every session it touches (s ≤ t + gap and e ≥ t); sessions
 *   emitted before and not starting where the merged one starts are emitted as `delete`;
 *   the merged one counts as emitted if any part was.
 */
import type { LateRow } from './watermarks.ts';

export type WindowKind = 'tumbling' | 'sliding' | 'session' | 'cumulate';

export interface WindowConfig {
  kind: WindowKind;
  /** tumbling/sliding size, cumulate max size, session gap */
  size: number;
  /** sliding slide, cumulate step */
  slide: number;
  offset: number;
  lateness: number;
}

export interface WindowRow {
  k: string;
  window_start: number;
  window_end: number;
  n: number;
  total: number;
  hi: number | null;
}

export interface Emitted {
  kind: 'insert' | 'update' | 'delete';
  row: WindowRow;
  time: number;
}

interface Win {
  k: string;
  s: number;
  e: number;
  n: number;
  total: number;
  hi: number | null;
  emitted: boolean;
  pending: boolean;
}

const floorDiv = (a: number, b: number) => Math.floor(a / b);

/** Every [s, e) holding t, by enumerating aligned starts (no modular shortcuts). */
export function windowsHolding(c: WindowConfig, t: number): [number, number][] {
  const out: [number, number][] = [];
  if (c.kind === 'tumbling' || c.kind === 'sliding') {
    const slide = c.kind === 'tumbling' ? c.size : c.slide;
    for (let n = floorDiv(t - c.offset - c.size, slide) - 1; n <= floorDiv(t - c.offset, slide) + 1; n++) {
      const s = c.offset + n * slide;
      if (s <= t && t < s + c.size) out.push([s, s + c.size]);
    }
  } else if (c.kind === 'cumulate') {
    for (let n = floorDiv(t - c.offset, c.size) - 1; n <= floorDiv(t - c.offset, c.size) + 1; n++) {
      const s = c.offset + n * c.size;
      for (let e = s + c.slide; e <= s + c.size; e += c.slide) if (s <= t && t < e) out.push([s, e]);
    }
  }
  return out;
}

export class WindowOracle {
  readonly output: Emitted[] = [];
  readonly late: LateRow[] = [];
  private wins: Win[] = [];

  constructor(private readonly c: WindowConfig) {}

  private row(w: Win): WindowRow {
    return { k: w.k, window_start: w.s, window_end: w.e, n: w.n, total: w.total, hi: w.hi };
  }

  private emit(w: Win): void {
    this.output.push({ kind: w.emitted ? 'update' : 'insert', row: this.row(w), time: w.e - 1 });
    w.emitted = true;
    w.pending = false;
  }

  private add(w: Win, v: number): void {
    w.n++;
    w.total += v;
    w.hi = w.hi === null ? v : Math.max(w.hi, v);
    w.pending = true;
  }

  batch(records: { value: { k: string; v: number }; time: number }[], W: number): void {
    const dirty: Win[] = [];
    const L = this.c.lateness;
    for (const r of records) {
      const { k, v } = r.value;
      const t = r.time;
      let accepted = false;
      if (this.c.kind === 'session') {
        const touching = this.wins.filter((w) => w.k === k && w.s <= t + this.c.size && w.e >= t);
        const s = Math.min(t, ...touching.map((w) => w.s));
        const e = Math.max(t + this.c.size, ...touching.map((w) => w.e));
        if (e - 1 + L > W) {
          accepted = true;
          const merged: Win = { k, s, e, n: 0, total: 0, hi: null, emitted: false, pending: true };
          for (const w of touching.sort((a, b) => a.s - b.s)) {
            if (w.emitted && w.s !== s) this.output.push({ kind: 'delete', row: this.row(w), time: w.e - 1 });
            merged.emitted ||= w.emitted;
            merged.n += w.n;
            merged.total += w.total;
            if (w.hi !== null) merged.hi = merged.hi === null ? w.hi : Math.max(merged.hi, w.hi);
          }
          this.wins = this.wins.filter((w) => !touching.includes(w));
          this.add(merged, v);
          this.wins.push(merged);
          if (e - 1 <= W) dirty.push(merged);
        }
      } else {
        for (const [s, e] of windowsHolding(this.c, t)) {
          if (e - 1 + L <= W) continue;
          accepted = true;
          let w = this.wins.find((x) => x.k === k && x.s === s && x.e === e);
          if (!w) this.wins.push((w = { k, s, e, n: 0, total: 0, hi: null, emitted: false, pending: true }));
          this.add(w, v);
          if (e - 1 <= W) dirty.push(w);
        }
      }
      if (!accepted) this.late.push({ operator: 'op', reason: 'window_closed', watermark: W, event_time: t, record: r.value, provenance: null });
    }
    for (const w of dirty) if (this.wins.includes(w) && w.pending && w.e - 1 <= W) this.emit(w);
  }

  watermark(W: number): void {
    for (const w of this.wins) if (w.pending && w.e - 1 <= W) this.emit(w);
    this.wins = this.wins.filter((w) => w.e - 1 + this.c.lateness > W);
  }
}

/** Emissions grouped by upsert key (k, window_start, and window_end for cumulate), in order. */
export function byUpsertKey(emitted: Emitted[], cumulate: boolean): Map<string, Emitted[]> {
  const out = new Map<string, Emitted[]>();
  for (const e of emitted) {
    const key = JSON.stringify([e.row.k, e.row.window_start, ...(cumulate ? [e.row.window_end] : [])]);
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(e);
  }
  return out;
}

/** The final upsert table. */
export function finalTable(emitted: Emitted[], cumulate: boolean): Map<string, WindowRow> {
  const table = new Map<string, WindowRow>();
  for (const [key, list] of byUpsertKey(emitted, cumulate)) {
    for (const e of list) {
      if (e.kind === 'delete') table.delete(key);
      else table.set(key, e.row);
    }
  }
  return new Map([...table].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
