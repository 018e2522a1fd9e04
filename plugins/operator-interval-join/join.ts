/**
 * The interval join instance. For key k it emits (l, r) when
 * r.ts − l.ts ∈ [lower, upper] (ends inclusive unless configured), on the arrival of the
 * second of the two, with event time max(l.ts, r.ts) and both sides' provenance.
 *
 * Buffers: a left entry can still match a right record that is not late
 * (r.ts ≥ W − allowed_lateness) only while W ≤ l.ts + upper + allowed_lateness, a right
 * entry while W ≤ r.ts − lower + allowed_lateness; each registers an event-time timer 1 ms
 * after that bound which drops it. Entries already past the bound when they arrive are not
 * buffered at all.
 */
import type { CompiledExpression, ExpressionCompiler, KeyedBatch, OperatorContext, OperatorInstance, ProvenanceRef, Provenance, Row, ValueState } from '../../core/api/index.ts';
import { insertSorted, range, type Entry } from './buffer.ts';

export interface JoinConfig {
  readonly key: string | { left: string; right: string };
  readonly lower: number;
  readonly upper: number;
  readonly lower_inclusive: boolean;
  readonly upper_inclusive: boolean;
  readonly allowed_lateness: number;
  readonly max_buffered_per_side: number;
  readonly project?: Record<string, string>;
}

export interface JoinState {
  readonly left: ValueState<Entry[]>;
  readonly right: ValueState<Entry[]>;
}

export const keyFields = (key: JoinConfig['key']): [string, string] => (typeof key === 'string' ? [key, key] : [key.left, key.right]);

function readPath(row: Row, path: readonly string[]): unknown {
  let v: unknown = row;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Row)[p];
  }
  return v;
}

function bothProvenance(a: ProvenanceRef, b: ProvenanceRef): ProvenanceRef {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const out: Provenance[] = [];
  for (const p of [a, b]) {
    if (Array.isArray(p)) out.push(...(p as readonly Provenance[]));
    else out.push(p as Provenance);
  }
  return out;
}

/** Extension the engine reads: inputs over their buffer bound. */
export interface IntervalJoinInstance extends OperatorInstance {
  blockedInputs(): readonly number[];
  buffered(): readonly [number, number];
}

export function createJoin(config: JoinConfig, s: JoinState, expressions: ExpressionCompiler): IntervalJoinInstance {
  const { lower, upper, allowed_lateness: lateness } = config;
  const leftKeyPath = keyFields(config.key)[0].split('.');
  const projection: [string, CompiledExpression][] = Object.entries(config.project ?? {}).map(([name, src]) => [name, expressions.compile(src, 'join')]);
  const counts: [number, number] = [0, 0];
  const vars: { left: Row; right: Row } = { left: {}, right: {} };

  function emitPair(l: Entry, r: Entry, ctx: OperatorContext): void {
    const time = l.t > r.t ? l.t : r.t;
    const provenance = bothProvenance(l.p, r.p);
    if (projection.length === 0) {
      ctx.emit({ key: readPath(l.v, leftKeyPath), left: l.v, right: r.v }, time, 'insert', provenance);
      return;
    }
    vars.left = l.v;
    vars.right = r.v;
    const out: Row = {};
    try {
      for (const [name, expr] of projection) out[name] = expr.evaluate(vars);
    } catch (error) {
      ctx.deadLetter({ left: l.v, right: r.v }, error, provenance);
      return;
    }
    ctx.emit(out, time, 'insert', provenance);
  }

  /** Cleanup time of an entry: 1 ms after the last watermark at which it can still match. */
  const cleanupAt = (isLeft: boolean, t: number) => (isLeft ? t + upper : t - lower) + lateness + 1;

  return {
    processBatch(batch: KeyedBatch, input: number, ctx: OperatorContext) {
      const isLeft = input === 0;
      const own = isLeft ? s.left : s.right;
      const other = isLeft ? s.right : s.left;
      // r.ts − l.ts ∈ [lower, upper]: seen from a left record, r.ts ∈ [t + lower, t + upper];
      // from a right record, l.ts ∈ [t − upper, t − lower] with the inclusiveness swapped.
      const fromIncl = isLeft ? config.lower_inclusive : config.upper_inclusive;
      const toIncl = isLeft ? config.upper_inclusive : config.lower_inclusive;
      const watermark = ctx.watermark;
      const lateBefore = watermark - lateness;
      const { values, times, provenance, keys } = batch;
      for (let i = 0; i < batch.length; i++) {
        const t = times[i]!;
        const p = provenance?.[i];
        if (t < lateBefore) {
          ctx.late(values[i]!, t, 'join_late', p);
          continue;
        }
        ctx.setCurrentKey(keys![i]!);
        ctx.setCurrentTime(t);
        const entry: Entry = { t, v: values[i]!, p };
        const others = other.get();
        if (others !== undefined) {
          const [start, end] = isLeft ? range(others, t + lower, fromIncl, t + upper, toIncl) : range(others, t - upper, fromIncl, t - lower, toIncl);
          for (let j = start; j < end; j++) {
            if (isLeft) emitPair(entry, others[j]!, ctx);
            else emitPair(others[j]!, entry, ctx);
          }
        }
        const cleanup = cleanupAt(isLeft, t);
        if (cleanup <= watermark) continue; // can match nothing that is still to come
        const mine = own.get();
        if (mine === undefined) own.set([entry]);
        else {
          insertSorted(mine, entry);
          own.set(mine);
        }
        counts[input]!++;
        ctx.timers.registerEventTimeTimer(cleanup);
      }
    },

    onTimer(timestamp: number) {
      // Drop the prefix of each side whose cleanup time has come (buffers are sorted by time).
      for (const [side, handle] of [[0, s.left], [1, s.right]] as const) {
        const entries = handle.get();
        if (entries === undefined) continue;
        let n = 0;
        while (n < entries.length && cleanupAt(side === 0, entries[n]!.t) <= timestamp) n++;
        if (n === 0) continue;
        counts[side] -= n;
        if (n === entries.length) handle.clear();
        else {
          entries.splice(0, n);
          handle.set(entries);
        }
      }
    },

    blockedInputs() {
      const [l, r] = counts;
      const max = config.max_buffered_per_side;
      // Never both: the side further over its bound is the one running ahead.
      if (l > max && l >= r) return [0];
      if (r > max) return [1];
      return [];
    },

    buffered: () => [counts[0], counts[1]] as const,

    snapshot: () => [counts[0], counts[1]],
    restore(snapshot: unknown) {
      const [l, r] = snapshot as [number, number];
      counts[0] = l;
      counts[1] = r;
    },
  };
}
