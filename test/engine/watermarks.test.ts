/**
 * Watermark generation and idleness (docs/architecture.md §3) with a manual clock: unit cases, then a
 * property test against a naive model that recomputes the watermark from the whole history
 * at every step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SourceWatermarks } from '../../core/runtime/engine/source-watermarks.ts';
import { InputWatermarks } from '../../core/runtime/state/input-watermarks.ts';

const NEG = Number.NEGATIVE_INFINITY;

void test('bounded out-of-orderness: W = max_ts − ooo − 1, never back', () => {
  const w = new SourceWatermarks(5, undefined);
  w.observe('p', [100, 90], 0, 2, 0);
  assert.equal(w.update(), 94);
  w.observe('p', [80], 0, 1, 0);
  assert.equal(w.update(), 94, 'an older record does not move it back');
  w.observe('p', [120], 0, 1, 0);
  assert.equal(w.update(), 114);
});

void test('the source watermark is the minimum over partitions', () => {
  const w = new SourceWatermarks(0, undefined);
  w.observe('a', [100], 0, 1, 0);
  assert.equal(w.update(), 99);
  w.observe('b', [50], 0, 1, 0);
  assert.equal(w.update(), 99, 'a new partition cannot pull it back');
  w.observe('a', [200], 0, 1, 0);
  assert.equal(w.update(), 99, 'held by b');
  w.observe('b', [150], 0, 1, 0);
  assert.equal(w.update(), 149);
});

void test('a quiet partition goes idle after idle_timeout and leaves the minimum; it holds when back until it catches up', () => {
  const w = new SourceWatermarks(0, 1000);
  w.observe('a', [100], 0, 1, 0);
  w.observe('b', [100], 0, 1, 0);
  assert.equal(w.update(), 99);
  w.observe('a', [500], 0, 1, 999);
  w.checkIdle(999);
  assert.equal(w.update(), 99, 'b not idle yet (999 ms quiet)');
  w.checkIdle(1000);
  assert.equal(w.update(), 499, 'b idle after 1000 ms: a alone');
  assert.equal(w.partitions().get('b')!.idle, true);
  w.observe('b', [300], 0, 1, 1500);
  w.observe('a', [900], 0, 1, 1500);
  w.checkIdle(1500);
  assert.equal(w.update(), 499, 'b is back but behind: the watermark holds');
  w.observe('b', [700], 0, 1, 1600);
  assert.equal(w.update(), 699, 'b caught up and rejoined the minimum');
});

void test('every partition idle: the watermark holds', () => {
  const w = new SourceWatermarks(0, 10);
  w.observe('a', [100], 0, 1, 0);
  assert.equal(w.update(), 99);
  w.checkIdle(50);
  assert.equal(w.update(), 99);
  w.explicit('a', 500, 50);
  assert.equal(w.update(), 99, 'an idle partition does not count even with an explicit watermark');
});

void test('declared partitions start idle with an idle timeout, and hold at −∞ without one', () => {
  const idle = new SourceWatermarks(0, 100);
  idle.declare(['a', 'b'], 0);
  assert.equal(idle.update(), NEG);
  idle.observe('a', [50], 0, 1, 0);
  assert.equal(idle.update(), 49, 'b has not produced: it does not hold a back');
  const hold = new SourceWatermarks(0, undefined);
  hold.declare(['a', 'b'], 0);
  hold.observe('a', [50], 0, 1, 0);
  assert.equal(hold.update(), NEG, 'without idleness b holds at −∞ until it produces');
  hold.observe('b', [60], 0, 1, 0);
  assert.equal(hold.update(), 49);
});

void test('explicit watermarks combine with generated ones and never go back', () => {
  const w = new SourceWatermarks(10, undefined);
  w.explicit('a', 1000, 0);
  assert.equal(w.update(), 1000);
  w.observe('a', [500], 0, 1, 0);
  assert.equal(w.update(), 1000);
  w.explicit('a', 10, 0);
  assert.equal(w.update(), 1000);
  assert.equal(w.end(), Number.POSITIVE_INFINITY);
});

void test('snapshot and restore give the same watermarks; quiet time restarts at restore', () => {
  const w = new SourceWatermarks(3, 100);
  w.observe('a', [10, 40], 0, 2, 0);
  w.observe('b', [30], 0, 1, 0);
  w.checkIdle(50);
  w.update();
  const copy = new SourceWatermarks(3, 100);
  copy.restore(structuredClone(w.snapshot()), 10_000);
  assert.equal(copy.current, w.current);
  assert.deepEqual(copy.partitions(), w.partitions());
  copy.checkIdle(10_050);
  assert.equal(copy.partitions().get('a')!.idle, false, 'the restart gap is not idleness');
});

void test('restore keeps what is declared now and drops a partition that never produced and is not', () => {
  const before = new SourceWatermarks(0, undefined);
  before.declare(['x\u0000y/0', 'x\u0000x/0'], 0); // an older release declared every output's partitions for each output
  before.observe('x\u0000x/0', [100], 0, 1, 0);
  const snapshot = structuredClone(before.snapshot());
  const after = new SourceWatermarks(0, undefined);
  after.declare(['x\u0000x/0', 'x\u0000z/0'], 5);
  after.restore(snapshot, 10);
  assert.deepEqual([...after.partitions().keys()].sort(), ['x\u0000x/0', 'x\u0000z/0']);
  after.observe('x\u0000x/0', [200], 0, 1, 10);
  assert.equal(after.update(), NEG, 'z, declared now, holds until it produces');
  after.observe('x\u0000z/0', [300], 0, 1, 10);
  assert.equal(after.update(), 199, 'y/0, which never produced on x, holds nothing');
});

void test('operator watermark: min over non-broadcast inputs, never back', () => {
  const w = new InputWatermarks(3, [2]);
  assert.equal(w.advance(0, 10), undefined, 'input 1 still at −∞');
  assert.equal(w.advance(1, 5), 5);
  assert.equal(w.advance(2, 1), undefined, 'broadcast inputs do not count');
  assert.equal(w.advance(1, 20), 10);
  assert.equal(w.advance(0, 3), undefined, 'an input never goes back');
  assert.equal(w.current, 10);
  const all = new InputWatermarks(1, [0]);
  assert.equal(all.advance(0, 7), 7, 'only broadcast inputs: they count');
});

// ---- property: against a naive model ----

type Step =
  | { kind: 'records'; partition: string; times: number[]; dt: number }
  | { kind: 'explicit'; partition: string; watermark: number; dt: number }
  | { kind: 'tick'; dt: number };

/** Recomputes the watermark after every step from the whole history. */
function naive(steps: readonly Step[], ooo: number, idleTimeout: number | undefined, declared: readonly string[]): number[] {
  const out: number[] = [];
  let combined = NEG;
  let now = 0;
  const history: { at: number; step: Step }[] = [];
  for (const step of steps) {
    now += step.dt;
    history.push({ at: now, step });
    const parts = new Set<string>(declared);
    for (const h of history) if (h.step.kind !== 'tick') parts.add(h.step.partition);
    let min = Number.POSITIVE_INFINITY;
    let active = 0;
    for (const p of parts) {
      let wm = NEG;
      let lastRecord: number | undefined;
      for (const h of history) {
        if (h.step.kind === 'records' && h.step.partition === p && h.step.times.length) {
          wm = Math.max(wm, Math.max(...h.step.times) - ooo - 1);
          lastRecord = h.at;
        }
        if (h.step.kind === 'explicit' && h.step.partition === p) wm = Math.max(wm, h.step.watermark);
      }
      const firstSeen = declared.includes(p) ? 0 : history.find((h) => h.step.kind !== 'tick' && h.step.partition === p)!.at;
      let idle: boolean;
      if (idleTimeout === undefined) idle = false;
      else if (lastRecord === undefined) idle = declared.includes(p) || now - firstSeen >= idleTimeout;
      else idle = now - lastRecord >= idleTimeout;
      if (idle) continue;
      active++;
      min = Math.min(min, wm);
    }
    if (active > 0 && min > combined) combined = min;
    out.push(combined);
  }
  return out;
}

const stepArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('records' as const), partition: fc.constantFrom('a', 'b', 'c'), times: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 4 }), dt: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('explicit' as const), partition: fc.constantFrom('a', 'b', 'c'), watermark: fc.integer({ min: 0, max: 1000 }), dt: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 200 }) }) },
);

void test('property: the generator equals the naive model over random out-of-order input with idle partitions', () => {
  fc.assert(
    fc.property(
      fc.array(stepArb, { maxLength: 40 }),
      fc.integer({ min: 0, max: 50 }),
      fc.option(fc.integer({ min: 1, max: 150 }), { nil: undefined }),
      fc.subarray(['a', 'b', 'c']),
      (steps, ooo, idleTimeout, declared) => {
        const w = new SourceWatermarks(ooo, idleTimeout);
        w.declare(declared, 0);
        let now = 0;
        const got: number[] = [];
        for (const step of steps) {
          now += step.dt;
          if (step.kind === 'records') w.observe(step.partition, step.times, 0, step.times.length, now);
          if (step.kind === 'explicit') w.explicit(step.partition, step.watermark, now);
          w.checkIdle(now);
          got.push(w.update());
        }
        assert.deepEqual(got, naive(steps, ooo, idleTimeout, declared));
      },
    ),
    { numRuns: 500 },
  );
});
