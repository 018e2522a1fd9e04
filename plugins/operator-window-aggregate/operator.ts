/**
 * The window_aggregate instance (docs/architecture.md §4; Flink's event-time windows).
 *
 * Per key, its windows packed in one array (`packed.ts`). A record goes into every window it
 * belongs to that is not late (`end − 1 + allowed_lateness ≤ W` is late; W is the watermark
 * before the batch); a record late for all of them goes to the late output
 * (`window_closed`). Each window has an event-time timer at end − 1 (fire) and at
 * end − 1 + allowed_lateness (drop); windows of many keys ending together share a timer
 * time, which the timer queue coalesces.
 *
 * Emission: a window fires once the watermark reaches end − 1: `insert` the first time,
 * `update` after. A record that lands in a window already past end − 1 (within the
 * allowance) re-emits it at the end of its batch (one emission per window per batch).
 * Sessions: a record's window [ts, ts + gap) merges every session it touches; sessions
 * absorbed after they had fired are emitted as `delete` (unless they keep the merged
 * window's start), and the merged window is emitted as `update` when it fires. A merge
 * rewrites the key's array in place: the key never leaves the state table on the way.
 */
import type { KeyedBatch, OperatorContext, OperatorInstance, Row, StateKey, ValueState } from '../../core/api/index.ts';
import { readInputs, type Aggregator } from './aggregates.ts';
import { decodeKeyValues, encodeKeyValues } from './key-values.ts';
import { ACC, appendWindow, END, findWindow, FIRED, firstWindow, FLAGS, HEADER, PENDING, removeWindows, START, strideOf, type Packed } from './packed.ts';
import { absorbSessions, mergeSession, type SessionMerge } from './session.ts';
import { assignWindows, type WindowShape } from './windows.ts';

export interface WindowState {
  /** The key's windows (`packed.ts`). */
  readonly packed: ValueState<Packed>;
  /** The key fields' values, only for keys whose values the key text cannot give back. */
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
  const stride = strideOf(aggs.length);
  const fresh = aggs.map((a) => () => a.create());
  const byEnd = shape.kind === 'cumulate';
  const session = shape.kind === 'session';
  const inputs: unknown[] = new Array(aggs.length);
  const assigned: number[] = [];
  // Windows to re-emit at the end of the batch: (key, window id) pairs.
  let dirtyKeys: StateKey[] = [];
  let dirtyIds: number[] = [];
  // Scratch for onTimer: offsets of the windows to fire and to drop.
  const fire: number[] = [];
  const drop: number[] = [];
  // Scratch for sessions.
  const merge: SessionMerge = { start: 0, end: 0, touching: [] };

  function rowOf(key: StateKey, p: Packed, o: number): Row {
    const code = p[0] as number;
    const kv = code !== 0 ? decodeKeyValues(key, code, keyFields.length) : s.keyValues.get() ?? [];
    const row: Row = {};
    for (let i = 0; i < keyFields.length; i++) row[keyFields[i]!] = kv[i];
    row.window_start = p[o + START];
    row.window_end = p[o + END];
    for (let i = 0; i < aggs.length; i++) row[aggs[i]!.name] = aggs[i]!.result(p[o + ACC + i]);
    return row;
  }

  function emit(key: StateKey, p: Packed, o: number, ctx: OperatorContext): void {
    const flags = p[o + FLAGS] as number;
    ctx.emit(rowOf(key, p, o), (p[o + END] as number) - 1, flags & FIRED ? 'update' : 'insert');
    p[o + FLAGS] = FIRED;
  }

  function add(p: Packed, o: number): void {
    for (let i = 0; i < aggs.length; i++) {
      const v = inputs[i];
      if (v !== undefined) p[o + ACC + i] = aggs[i]!.add(p[o + ACC + i], v);
    }
    p[o + FLAGS] = (p[o + FLAGS] as number) | PENDING;
  }

  function timersFor(end: number, ctx: OperatorContext): void {
    if (end - 1 > ctx.watermark) ctx.timers.registerEventTimeTimer(end - 1);
    if (lateness > 0) ctx.timers.registerEventTimeTimer(end - 1 + lateness);
  }

  /** A new key's array with its first window (and the key values in state of their own when the code is 0). */
  function newKeyState(key: StateKey, value: Row, start: number, end: number): Packed {
    const values = keyPaths.length === 1 ? [readPath(value, keyPaths[0]!)] : keyPaths.map((path) => readPath(value, path));
    const code = encodeKeyValues(key, values);
    if (code === 0) s.keyValues.set(values);
    return firstWindow(code, start, end, fresh);
  }

  /**
   * Sessions keep lazy timers: a merge that extends a session leaves its timers where they
   * were (earlier than the merged session's times, never later), and the timer, when it
   * fires, re-registers at each remaining session's own times. So a session that many
   * records extend costs a few timers, not one per record. Invariant: every session still to
   * fire has a timer at or before end − 1, and (with lateness) one at or before
   * end − 1 + lateness. Fired windows and their times are as with one timer per window; only
   * sessions of different keys due at the same time may fire in another order.
   */
  function rearmSessionTimers(p: Packed, timestamp: number, ctx: OperatorContext): void {
    for (let o = HEADER; o < p.length; o += stride) {
      const end = p[o + END] as number;
      if ((p[o + FLAGS] as number) & PENDING && end - 1 > timestamp) ctx.timers.registerEventTimeTimer(end - 1);
      if (lateness > 0) ctx.timers.registerEventTimeTimer(end - 1 + lateness);
    }
  }

  function markDirty(key: StateKey, id: number): void {
    dirtyKeys.push(key);
    dirtyIds.push(id);
  }

  /**
   * Tumbling, sliding, cumulate. Returns the key's array (created if need be) when a window
   * took the record, undefined when it is late for all of them.
   */
  function addAssigned(key: StateKey, t: number, value: Row, p: Packed | undefined, ctx: OperatorContext): Packed | undefined {
    const n = assignWindows(shape, t, assigned);
    const W = ctx.watermark;
    let accepted = false;
    for (let j = 0; j < n; j++) {
      const start = assigned[2 * j]!;
      const end = assigned[2 * j + 1]!;
      if (end - 1 + lateness <= W) continue;
      accepted = true;
      let o: number;
      if (p === undefined) {
        p = newKeyState(key, value, start, end);
        o = HEADER;
        timersFor(end, ctx);
      } else if ((o = findWindow(p, stride, byEnd ? end : start, byEnd)) < 0) {
        o = appendWindow(p, start, end, fresh);
        timersFor(end, ctx);
      }
      add(p, o);
      if (end - 1 <= W) markDirty(key, byEnd ? end : start);
    }
    return accepted ? p : undefined;
  }

  function addToSession(key: StateKey, t: number, value: Row, p: Packed | undefined, ctx: OperatorContext): Packed | undefined {
    const W = ctx.watermark;
    const merged = mergeSession(p, stride, t, shape.size, merge);
    if (merged.end - 1 + lateness <= W) return undefined;
    let o: number;
    let fireTimer = false; // an absorbed session still to fire has a timer at or before its end − 1
    if (p === undefined) {
      p = newKeyState(key, value, merged.start, merged.end);
      o = HEADER;
    } else if (merged.touching.length === 0) {
      o = appendWindow(p, merged.start, merged.end, fresh);
    } else {
      const absorbed = absorbSessions(p, stride, merged, aggs, W, (w) => ctx.emit(rowOf(key, p!, w), (p![w + END] as number) - 1, 'delete'));
      o = absorbed.offset;
      fireTimer = absorbed.hasFireTimer;
    }
    add(p, o);
    if (merged.touching.length === 0) timersFor(merged.end, ctx);
    else if (!fireTimer && merged.end - 1 > W) ctx.timers.registerEventTimeTimer(merged.end - 1);
    if (merged.end - 1 <= W) markDirty(key, merged.start);
    return p;
  }

  // Re-emits dirty window `d` of the batch; `ctx.forKeys` made `dueKeys[d]` the current key.
  let dueIds: number[] = [];
  const emitDue = (d: number, ctx: OperatorContext): void => {
    const key = ctx.currentKey!;
    const p = s.packed.get();
    if (p === undefined) return;
    const o = findWindow(p, stride, dueIds[d]!, byEnd);
    if (o < 0 || !((p[o + FLAGS] as number) & PENDING) || (p[o + END] as number) - 1 > ctx.watermark) return;
    emit(key, p, o, ctx);
    s.packed.set(p);
  };

  return {
    processRecord(batch: KeyedBatch, i: number, _input: number, ctx: OperatorContext) {
      const value = batch.values[i]!;
      try {
        readInputs(aggs, value, inputs);
      } catch (error) {
        ctx.fail(i, error);
        return;
      }
      const key = batch.keys![i]!;
      const t = batch.times[i]!;
      const before = s.packed.get();
      const p = session ? addToSession(key, t, value, before, ctx) : addAssigned(key, t, value, before, ctx);
      if (p === undefined) ctx.late(value, t, 'window_closed', batch.provenance?.[i]);
      else s.packed.set(p);
    },

    endBatch(_batch: KeyedBatch, _input: number, ctx: OperatorContext) {
      if (dirtyKeys.length === 0) return;
      const dueKeys = dirtyKeys;
      dueIds = dirtyIds;
      dirtyKeys = [];
      dirtyIds = [];
      ctx.forKeys(dueKeys, undefined, emitDue);
      dueIds = [];
    },

    onTimer(timestamp: number, key: StateKey, _domain, ctx: OperatorContext) {
      const p = s.packed.get();
      if (p === undefined) return;
      fire.length = 0;
      drop.length = 0;
      for (let o = HEADER; o < p.length; o += stride) {
        const end = p[o + END] as number;
        if ((p[o + FLAGS] as number) & PENDING && end - 1 <= timestamp) fire.push(o);
        if (end - 1 + lateness <= timestamp) drop.push(o);
      }
      if (fire.length > 1) fire.sort((a, b) => (p[a + END] as number) - (p[b + END] as number) || (p[a + START] as number) - (p[b + START] as number));
      for (const o of fire) emit(key, p, o, ctx);
      removeWindows(p, stride, drop);
      if (session) rearmSessionTimers(p, timestamp, ctx);
      if (p.length > HEADER) {
        if (fire.length || drop.length) s.packed.set(p);
        return;
      }
      s.packed.clear();
      if (p[0] === 0) s.keyValues.clear();
    },
  };
}
