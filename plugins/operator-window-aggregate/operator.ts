/**
 * The window_aggregate instance (DESIGN.md §3–§4, Flink's event-time windows).
 *
 * Per key, a map window id → `Win`. A record goes into every window it belongs to that is
 * not late (`end − 1 + allowed_lateness ≤ W` is late; W is the watermark before the batch);
 * a record late for all of them goes to the late output (`window_closed`). Each window has an
 * event-time timer at end − 1 (fire) and at end − 1 + allowed_lateness (drop).
 *
 * Emission: a window fires once the watermark reaches end − 1: `insert` the first time,
 * `update` after. A record that lands in a window already past end − 1 (within the
 * allowance) re-emits it at the end of its batch (one emission per window per batch).
 * Sessions: a record's window [ts, ts + gap) merges every session it touches; sessions
 * absorbed after they had fired are emitted as `delete` (unless they keep the merged
 * window's start), and the merged window is emitted as `update` when it fires.
 */
import type { KeyedBatch, MapState, OperatorContext, OperatorInstance, Row, ValueState } from '../../core/api/index.ts';
import { readInputs, type Aggregator } from './aggregates.ts';
import { assignWindows, windowId, type WindowShape } from './windows.ts';

/** A window's state. `f`: emitted before (next emission is an update); `p`: changed since last emitted. */
export interface Win {
  readonly s: number;
  readonly e: number;
  a: unknown[];
  f: 0 | 1;
  p: 0 | 1;
}

export interface WindowState {
  readonly windows: MapState<number, Win>;
  /** The key fields' values, copied into output rows. */
  readonly keyValues: ValueState<unknown[]>;
}

export interface WindowOptions {
  readonly shape: WindowShape;
  readonly lateness: number;
  readonly keyFields: readonly string[];
  readonly aggregates: readonly Aggregator[];
}

function readPath(row: Row, path: readonly string[]): unknown {
  let v: unknown = row;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Row)[p];
  }
  return v;
}

export function createWindowOperator(options: WindowOptions, s: WindowState): OperatorInstance {
  const { shape, lateness, keyFields, aggregates: aggs } = options;
  const keyPaths = keyFields.map((f) => f.split('.'));
  const inputs: unknown[] = new Array(aggs.length);
  const assigned: number[] = [];
  let dirty: [string, number][] = [];

  function rowOf(w: Win): Row {
    const kv = s.keyValues.get() ?? [];
    const row: Row = {};
    for (let i = 0; i < keyFields.length; i++) row[keyFields[i]!] = kv[i];
    row.window_start = w.s;
    row.window_end = w.e;
    for (let i = 0; i < aggs.length; i++) row[aggs[i]!.name] = aggs[i]!.result(w.a[i]);
    return row;
  }

  function emit(w: Win, ctx: OperatorContext): void {
    ctx.emit(rowOf(w), w.e - 1, w.f ? 'update' : 'insert');
    w.f = 1;
    w.p = 0;
  }

  function add(w: Win): void {
    for (let i = 0; i < aggs.length; i++) if (inputs[i] !== undefined) w.a[i] = aggs[i]!.add(w.a[i], inputs[i]);
    w.p = 1;
  }

  function timersFor(end: number, ctx: OperatorContext): void {
    if (end - 1 > ctx.watermark) ctx.timers.registerEventTimeTimer(end - 1);
    if (lateness > 0) ctx.timers.registerEventTimeTimer(end - 1 + lateness);
  }

  const fresh = (start: number, end: number): Win => ({ s: start, e: end, a: aggs.map((a) => a.create()), f: 0, p: 1 });

  /** Tumbling, sliding, cumulate. Returns whether any window took the record. */
  function addAssigned(key: string, t: number, ctx: OperatorContext): boolean {
    const n = assignWindows(shape, t, assigned);
    const W = ctx.watermark;
    let accepted = false;
    for (let j = 0; j < n; j++) {
      const start = assigned[2 * j]!;
      const end = assigned[2 * j + 1]!;
      if (end - 1 + lateness <= W) continue;
      accepted = true;
      const id = windowId(shape.kind, start, end);
      let w = s.windows.get(id);
      if (w === undefined) {
        w = fresh(start, end);
        timersFor(end, ctx);
      }
      add(w);
      s.windows.set(id, w);
      if (end - 1 <= W) dirty.push([key, id]);
    }
    return accepted;
  }

  function addToSession(key: string, t: number, ctx: OperatorContext): boolean {
    const W = ctx.watermark;
    let start = t;
    let end = t + shape.size;
    const touching: Win[] = [];
    for (const [, w] of s.windows.entries()) {
      // Flink's TimeWindow.intersects: windows that touch merge too.
      if (w.s <= t + shape.size && w.e >= t) {
        touching.push(w);
        if (w.s < start) start = w.s;
        if (w.e > end) end = w.e;
      }
    }
    if (end - 1 + lateness <= W) return false;
    let merged: Win;
    if (touching.length === 0) {
      merged = fresh(start, end);
    } else {
      touching.sort((a, b) => a.s - b.s);
      merged = { s: start, e: end, a: touching[0]!.a, f: 0, p: 1 };
      for (let k = 0; k < touching.length; k++) {
        const w = touching[k]!;
        if (k > 0) for (let i = 0; i < aggs.length; i++) merged.a[i] = aggs[i]!.merge(merged.a[i], w.a[i]);
        if (w.f) {
          merged.f = 1;
          if (w.s !== start) ctx.emit(rowOf(w), w.e - 1, 'delete');
        }
      }
      for (const w of touching) s.windows.delete(w.s);
    }
    add(merged);
    s.windows.set(start, merged);
    timersFor(end, ctx);
    if (end - 1 <= W) dirty.push([key, start]);
    return true;
  }

  return {
    processBatch(batch: KeyedBatch, _input: number, ctx: OperatorContext) {
      const { values, times, keys, provenance } = batch;
      const session = shape.kind === 'session';
      for (let i = 0; i < batch.length; i++) {
        const value = values[i]!;
        try {
          readInputs(aggs, value, inputs);
        } catch (error) {
          ctx.fail(i, error);
          continue;
        }
        const key = keys![i]!;
        ctx.setCurrentKey(key);
        ctx.setCurrentTime(times[i]!);
        const accepted = session ? addToSession(key, times[i]!, ctx) : addAssigned(key, times[i]!, ctx);
        if (!accepted) ctx.late(value, times[i]!, 'window_closed', provenance?.[i]);
        else if (s.keyValues.get() === undefined) s.keyValues.set(keyPaths.map((p) => readPath(value, p)));
      }
      if (dirty.length === 0) return;
      const due = dirty;
      dirty = [];
      for (const [key, id] of due) {
        ctx.setCurrentKey(key);
        const w = s.windows.get(id);
        if (w === undefined || !w.p || w.e - 1 > ctx.watermark) continue;
        emit(w, ctx);
        s.windows.set(id, w);
      }
    },

    onTimer(timestamp: number, _key: string, _domain, ctx: OperatorContext) {
      const fire: [number, Win][] = [];
      const drop: number[] = [];
      for (const [id, w] of s.windows.entries()) {
        if (w.p && w.e - 1 <= timestamp) fire.push([id, w]);
        if (w.e - 1 + lateness <= timestamp) drop.push(id);
      }
      if (fire.length > 1) fire.sort((a, b) => a[1].e - b[1].e || a[1].s - b[1].s);
      for (const [id, w] of fire) {
        emit(w, ctx);
        s.windows.set(id, w);
      }
      for (const id of drop) s.windows.delete(id);
      if (drop.length && s.windows.size === 0) s.keyValues.clear();
    },
  };
}
