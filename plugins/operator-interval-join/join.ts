/**
 * The interval join instance. For key k it emits (l, r) when
 * r.ts − l.ts ∈ [lower, upper] (ends inclusive unless configured), on the arrival of the
 * second of the two, with event time max(l.ts, r.ts) and both sides' provenance.
 *
 * Buffers (`buffer.ts`, both sides of a key in one state value): a left record can still
 * match a right record that is not late (r.ts ≥ W − allowed_lateness) only while
 * W ≤ l.ts + upper + allowed_lateness, a right record while W ≤ r.ts − lower +
 * allowed_lateness; 1 ms after that bound it is dropped. Records already past the bound
 * when they arrive are not buffered at all.
 *
 * Timers are per key, not per record: the key has an event-time timer at the earliest
 * cleanup time of its buffers (each buffer is sorted by time, so that of its first record),
 * rounded up to the join's timer granularity (`timerGranularity`: 1/32 of the time a record
 * can be kept, at most 1 s), so that keys due within one granule share a timer time, which
 * the timer queue coalesces: with a million keys buffered, a timer per key at its own
 * millisecond made the timer queue the join's largest cost. The timer drops what is due and
 * registers the next, unless the key's latest registered timer (`Buffers.tm`) is still to
 * come and no later than needed: when a record's earlier timer fires (an action kept for its
 * lateness beside a trigger kept for hours), the trigger's timer registered before it still
 * covers the key. A record that becomes a buffer's new earliest registers an earlier one. A
 * timer left behind by that fires later and finds nothing to drop. So a record stays
 * buffered at most one granule past its bound; it cannot match anything then (a record
 * that could pair with it would be late), so the output is that of a timer per record.
 */
import { RecordError, rowBuilder } from '../../core/api/index.ts';
import type { CompiledExpression, ExpressionCompiler, KeyedBatch, OperatorContext, OperatorInstance, ProvenanceRef, Provenance, Row, StateKey, ValueState } from '../../core/api/index.ts';
import { dropFirst, emptyBuffers, insertSorted, provenanceAt, rangeEnd, rangeStart, rowAt, upperBound, type Buffers } from './buffer.ts';
import { directProjection } from './projection.ts';
import { checkHardBound } from './hard-bound.ts';

export interface JoinConfig {
  readonly key: string | { left: string; right: string };
  readonly lower: number;
  readonly upper: number;
  readonly lower_inclusive: boolean;
  readonly upper_inclusive: boolean;
  readonly allowed_lateness: number;
  readonly max_buffered_per_side: number;
  readonly where?: string;
  readonly project?: Record<string, string>;
}

export interface JoinState {
  readonly buffers: ValueState<Buffers>;
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
  if (!Array.isArray(a) && !Array.isArray(b)) return [a as Provenance, b as Provenance];
  const out: Provenance[] = [];
  for (const p of [a, b]) {
    if (Array.isArray(p)) out.push(...(p as readonly Provenance[]));
    else out.push(p as Provenance);
  }
  return out;
}

/**
 * Granularity of the clean-up timers, in ms: 1/32 of how long a record can be kept
 * (upper − lower + allowed lateness), between 1 ms and 1 s. A record is kept at most that
 * much longer than its bound.
 */
export function timerGranularity(config: Pick<JoinConfig, 'lower' | 'upper' | 'allowed_lateness'>): number {
  const span = config.upper - config.lower + config.allowed_lateness;
  return Math.min(1000, Math.max(1, Math.floor(span / 32)));
}

/** The join instance: `blockedInputs` (the API's back-pressure hook) always present, and its buffered counts. */
export interface IntervalJoinInstance extends OperatorInstance {
  blockedInputs(): readonly number[];
  buffered(): readonly [number, number];
}

export function createJoin(config: JoinConfig, s: JoinState, expressions: ExpressionCompiler): IntervalJoinInstance {
  const { lower, upper, allowed_lateness: lateness } = config;
  const leftKeyPath = keyFields(config.key)[0].split('.');
  const projected = Object.keys(config.project ?? {});
  const projection: CompiledExpression[] = projected.map((name) => expressions.compile(config.project![name]!, 'join'));
  const buildRow = rowBuilder(projected);
  const direct = config.project === undefined ? undefined : directProjection(config.project);
  const values = new Array<unknown>(projected.length);
  const condition = config.where === undefined ? undefined : expressions.compile(config.where, 'join');
  const counts: [number, number] = [0, 0];
  const vars: { left: Row; right: Row } = { left: {}, right: {} };

  function emitPair(lt: number, lv: Row, lp: ProvenanceRef, rt: number, rv: Row, rp: ProvenanceRef, ctx: OperatorContext): void {
    if (condition !== undefined) {
      vars.left = lv;
      vars.right = rv;
      let keep: unknown;
      try {
        keep = condition.evaluate(vars);
        if (typeof keep !== 'boolean') throw new RecordError('expr_error', `CEL ${JSON.stringify(config.where)}: a join condition must give true or false, got ${JSON.stringify(keep) ?? typeof keep}`);
      } catch (error) {
        ctx.deadLetter({ left: lv, right: rv }, error, bothProvenance(lp, rp));
        return;
      }
      if (!keep) {
        ctx.count('filtered');
        return;
      }
    }
    const time = lt > rt ? lt : rt;
    const provenance = bothProvenance(lp, rp);
    if (projection.length === 0) {
      ctx.emit({ key: readPath(lv, leftKeyPath), left: lv, right: rv }, time, 'insert', provenance);
      return;
    }
    const row = direct?.(lv, rv);
    if (row !== undefined) {
      ctx.emit(row, time, 'insert', provenance);
      return;
    }
    vars.left = lv;
    vars.right = rv;
    try {
      for (let k = 0; k < projection.length; k++) values[k] = projection[k]!.evaluate(vars);
    } catch (error) {
      ctx.deadLetter({ left: lv, right: rv }, error, provenance);
      return;
    }
    ctx.emit(buildRow(values), time, 'insert', provenance);
  }

  /** Cleanup time of a record: 1 ms after the last watermark at which it can still match. */
  const cleanupAt = (isLeft: boolean, t: number) => (isLeft ? t + upper : t - lower) + lateness + 1;
  const granule = timerGranularity(config);
  /** The timer time for a cleanup time: rounded up to the granule. */
  const timerAt = (cleanup: number) => (granule === 1 ? cleanup : Math.ceil(cleanup / granule) * granule);

  /** Registers the key's timer at `at`, remembering the latest in `b.tm` (the caller writes `b` back). */
  function arm(b: Buffers, at: number, ctx: OperatorContext): void {
    ctx.timers.registerEventTimeTimer(at);
    if (b.tm === undefined || at > b.tm) b.tm = at;
  }

  /** Earliest cleanup time of a key's buffers (+∞ when empty). */
  function earliest(b: Buffers): number {
    const l = b.lt !== undefined && b.lt.length ? cleanupAt(true, b.lt[0]!) : Infinity;
    const r = b.rt !== undefined && b.rt.length ? cleanupAt(false, b.rt[0]!) : Infinity;
    return l < r ? l : r;
  }

  /** Drops the records of a side whose cleanup time is ≤ `bound`; returns how many. */
  function dropDue(times: number[] | undefined, vals: unknown[] | undefined, isLeft: boolean, bound: number): number {
    if (times === undefined || times.length === 0) return 0;
    // cleanupAt(isLeft, t) ≤ bound ⇔ t ≤ bound − cleanupAt(isLeft, 0)
    const n = upperBound(times, bound - cleanupAt(isLeft, 0));
    if (n > 0) dropFirst(times, vals!, n);
    return n;
  }

  return {
    processRecord(batch: KeyedBatch, i: number, input: number, ctx: OperatorContext) {
      const isLeft = input === 0;
      // r.ts − l.ts ∈ [lower, upper]: seen from a left record, r.ts ∈ [t + lower, t + upper];
      // from a right record, l.ts ∈ [t − upper, t − lower] with the inclusiveness swapped.
      const watermark = ctx.watermark;
      const t = batch.times[i]!;
      const p = batch.provenance?.[i];
      const v = batch.values[i]!;
      if (t < watermark - lateness) {
        ctx.late(v, t, 'join_late', p);
        return;
      }
      let b = s.buffers.get();
      const ot = b === undefined ? undefined : isLeft ? b.rt : b.lt;
      if (ot !== undefined && ot.length) {
        const fromIncl = isLeft ? config.lower_inclusive : config.upper_inclusive;
        const toIncl = isLeft ? config.upper_inclusive : config.lower_inclusive;
        const ov = (isLeft ? b!.rv : b!.lv)!;
        const start = rangeStart(ot, isLeft ? t + lower : t - upper, fromIncl);
        const end = rangeEnd(ot, isLeft ? t + upper : t - lower, toIncl);
        for (let j = start; j < end; j++) {
          if (isLeft) emitPair(t, v, p, ot[j]!, rowAt(ov, j), provenanceAt(ov, j), ctx);
          else emitPair(ot[j]!, rowAt(ov, j), provenanceAt(ov, j), t, v, p, ctx);
        }
      }
      const cleanup = cleanupAt(isLeft, t);
      if (cleanup <= watermark) return; // can match nothing that is still to come
      const before = b === undefined ? Infinity : earliest(b);
      b ??= emptyBuffers();
      insertSorted(b, isLeft, t, v, p);
      counts[input]!++;
      if (cleanup < before) arm(b, timerAt(cleanup), ctx); // it is the key's new earliest
      s.buffers.set(b);
    },

    endBatch(_batch: KeyedBatch, input: number) {
      checkHardBound(counts[input]!, config.max_buffered_per_side, input);
    },

    onTimer(timestamp: number, _key: StateKey, _domain, ctx: OperatorContext) {
      const b = s.buffers.get();
      if (b === undefined) return;
      const bound = ctx.watermark;
      const droppedLeft = dropDue(b.lt, b.lv, true, bound);
      const droppedRight = dropDue(b.rt, b.rv, false, bound);
      if (b.lt?.length === 0) b.lt = b.lv = undefined;
      if (b.rt?.length === 0) b.rt = b.rv = undefined;
      counts[0] -= droppedLeft;
      counts[1] -= droppedRight;
      const next = earliest(b);
      if (next === Infinity) {
        s.buffers.clear();
        return;
      }
      const at = timerAt(next);
      // A later record's earlier timer is what fired, and the one registered before it (at
      // `tm`) is still to come, no later than needed: nothing to register.
      const pending = b.tm !== undefined && b.tm > timestamp && b.tm <= at;
      if (!pending) arm(b, at, ctx);
      if (droppedLeft || droppedRight || !pending) s.buffers.set(b);
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
