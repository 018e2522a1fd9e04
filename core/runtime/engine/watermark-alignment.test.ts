/**
 * The alignment decision on real `SourceWatermarks`: which partitions run more than
 * `max_drift` ahead of the group's minimum over active partitions, idleness, the
 * no-deadlock cases, whole-source holding, and `update_interval`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceWatermarks } from './source-watermarks.ts';
import { AlignmentGroup, SourceAlignment } from './watermark-alignment.ts';

const IDLE = 1000;

/** A source whose partitions have seen one record each at `times[p]` (out-of-orderness 0: W = t − 1). */
function source(group: AlignmentGroup, times: Record<string, number>, maxDrift = 100, updateInterval = 0) {
  const w = new SourceWatermarks(0, IDLE);
  const a = new SourceAlignment(group, w, { group: 'default', maxDrift, updateInterval });
  const see = (p: string, t: number, now = 0) => {
    w.observe(p, [t], 0, 1, now);
    a.note(p, p);
  };
  for (const [p, t] of Object.entries(times)) see(p, t);
  return { w, a, see };
}

void test('a partition more than max_drift ahead of the minimum is paused; within the drift it is not', () => {
  const g = new AlignmentGroup();
  const { a } = source(g, { slow: 1000, near: 1100, far: 1101 });
  // minimum 999, limit 1099: near (1099) is at the limit, far (1100) above it.
  assert.deepEqual(a.update(0), { pause: ['far'], resume: [] });
  assert.equal(a.update(0), undefined, 'nothing changes: no calls');
  assert.equal(a.pausedCount, 1);
});

void test('the partition holding the minimum is never paused, even with max_drift 0', () => {
  const g = new AlignmentGroup();
  const { a } = source(g, { a: 500, b: 500, c: 900 }, 0);
  assert.deepEqual(a.update(0), { pause: ['c'], resume: [] });
  assert.deepEqual([...a.paused], ['c']);
});

void test('a paused partition resumes once the minimum catches up', () => {
  const g = new AlignmentGroup();
  const { a, see } = source(g, { slow: 1000, fast: 5000 });
  assert.deepEqual(a.update(0), { pause: ['fast'], resume: [] });
  see('slow', 4000);
  assert.equal(a.update(0), undefined, 'minimum 3999 + 100 is still below 4999');
  see('slow', 4900);
  assert.deepEqual(a.update(0), { pause: [], resume: ['fast'] });
});

void test('an idle partition does not hold the minimum: the one it held back is released', () => {
  const g = new AlignmentGroup();
  const { w, a } = source(g, { quiet: 1000, busy: 9000 });
  assert.deepEqual(a.update(0), { pause: ['busy'], resume: [] });
  // Both bring nothing for the idle timeout (busy because it is paused): both idle, no minimum.
  w.checkIdle(IDLE);
  assert.deepEqual(a.update(IDLE), { pause: [], resume: ['busy'] });
});

void test('the only partition with data is never held: when the others are idle it is the minimum', () => {
  const g = new AlignmentGroup();
  const { w, a, see } = source(g, { done: 1000, rest: 1050 });
  assert.equal(a.update(0), undefined);
  see('rest', 50_000, 500);
  assert.deepEqual(a.update(500), { pause: ['rest'], resume: [] });
  // `done` has no more records: idle after the timeout. `rest` brought its last record at 500, so it is still active.
  w.checkIdle(1200);
  assert.deepEqual(a.update(1200), { pause: [], resume: ['rest'] });
});

void test('declared partitions that never produced start idle and hold nothing back', () => {
  const g = new AlignmentGroup();
  const w = new SourceWatermarks(0, IDLE);
  const a = new SourceAlignment(g, w, { group: 'default', maxDrift: 10, updateInterval: 0 });
  w.declare(['x', 'y'], 0);
  a.note('x', 'x');
  a.note('y', 'y');
  w.observe('x', [5000], 0, 1, 0);
  assert.equal(a.update(0), undefined, 'y is idle at −∞ and x is the minimum');
  assert.equal(g.minimum(), 4999);
});

void test('the group spans sources: one source ahead of another is paused, the minimum comes from the other', () => {
  const g = new AlignmentGroup();
  const one = source(g, { a: 1000 });
  const two = source(g, { b: 2000, c: 1050 });
  assert.equal(g.minimum(), 999);
  assert.equal(one.a.update(0), undefined);
  assert.deepEqual(two.a.update(0), { pause: ['b'], resume: [] });
  one.see('a', 3000);
  assert.equal(two.a.update(0), undefined, 'the minimum is now c, still far behind b');
  two.see('c', 1950);
  assert.deepEqual(two.a.update(0), { pause: [], resume: ['b'] });
});

void test('an ended source holds nothing back', () => {
  const g = new AlignmentGroup();
  const one = source(g, { a: 1000 });
  const two = source(g, { b: 9000 });
  assert.deepEqual(two.a.update(0), { pause: ['b'], resume: [] });
  one.w.end();
  assert.deepEqual(two.a.update(0), { pause: [], resume: ['b'] });
});

void test('whole-source mode: held only while every partition of it is above the limit', () => {
  const g = new AlignmentGroup();
  const slow = source(g, { s: 1000 });
  const fast = source(g, { f1: 5000, f2: 1080 });
  assert.equal(fast.a.hold(0), false, 'f2 is within the drift');
  fast.see('f2', 6000);
  assert.equal(fast.a.hold(0), true);
  assert.equal(fast.a.pausedCount, 2);
  assert.equal(slow.a.hold(0), false, 'the source holding the minimum is never held');
  slow.see('s', 5950);
  assert.equal(fast.a.hold(0), false);
  assert.equal(fast.a.pausedCount, 0);
});

void test('several outputs: a partition is paused only when all its outputs are ahead', () => {
  const g = new AlignmentGroup();
  const w = new SourceWatermarks(0, IDLE);
  const a = new SourceAlignment(g, w, { group: 'default', maxDrift: 10, updateInterval: 0 });
  const key = (out: string, p: number) => SourceWatermarks.key(out, p);
  for (const [out, p, t] of [['x', 0, 100], ['x', 1, 500], ['y', 1, 100]] as const) {
    w.observe(key(out, p), [t], 0, 1, 0);
    a.note(key(out, p), p);
  }
  assert.equal(a.update(0), undefined, 'partition 1 is ahead on x but not on y');
  w.observe(key('y', 1), [500], 0, 1, 0);
  assert.deepEqual(a.update(0), { pause: [1], resume: [] });
});

void test('update_interval: the minimum is recomputed at most that often; partitions are checked against the last one every time', () => {
  const g = new AlignmentGroup();
  const { a, see } = source(g, { slow: 1000, fast: 1050 }, 100, 1000);
  assert.equal(a.update(0), undefined);
  see('fast', 2000);
  assert.deepEqual(a.update(10), { pause: ['fast'], resume: [] }, 'checked against the last limit (1099)');
  see('slow', 1095);
  assert.equal(a.update(999), undefined, 'the minimum is not recomputed before the interval');
  see('slow', 1950);
  assert.deepEqual(a.update(999), { pause: ['slow'], resume: [] }, 'a stale limit may hold even the lowest partition, until the next recomputation');
  assert.deepEqual(a.update(1000), { pause: [], resume: ['fast', 'slow'] });
});

void test('outside: the job\'s other tasks take part in the minimum; none outside leaves the group as it was', () => {
  let outside: number | undefined = 500;
  const g = new AlignmentGroup(() => outside);
  const { a } = source(g, { p: 1000 });
  assert.equal(g.minimum(), 500);
  assert.deepEqual(a.update(0), { pause: ['p'], resume: [] }, 'the partition holding this task\'s own minimum is paused: another task is lower');
  outside = undefined;
  assert.deepEqual(a.update(0), { pause: [], resume: ['p'] });
  outside = 990;
  assert.equal(a.update(0), undefined, 'within the drift of the other task');
});

void test('holding: a starting source holds at −∞ until its first record, or for idle_timeout; then its active minimum; idle or ended: nothing', () => {
  const g = new AlignmentGroup();
  const w = new SourceWatermarks(0, IDLE);
  g.join(w);
  assert.equal(g.started(), false, 'before the source opened');
  assert.equal(g.holding(), Number.NEGATIVE_INFINITY);
  w.declare(['x', 'y'], 0);
  assert.equal(g.started(), true);
  assert.equal(g.holding(), Number.NEGATIVE_INFINITY, 'declared partitions are idle, but the source is starting');
  assert.equal(g.minimum(), undefined, 'within the task nothing changes: declared partitions start idle');
  w.observe('x', [5000], 0, 1, 10);
  assert.equal(g.holding(), 4999);
  w.checkIdle(10 + IDLE);
  assert.equal(g.holding(), undefined, 'idle: it holds nothing back');

  const quiet = new SourceWatermarks(0, IDLE);
  quiet.declare(['z'], 0);
  quiet.checkIdle(IDLE - 1);
  assert.equal(quiet.holding(), Number.NEGATIVE_INFINITY);
  quiet.checkIdle(IDLE);
  assert.equal(quiet.holding(), undefined, 'nothing to read for idle_timeout since the start');
  quiet.restore(quiet.snapshot(), 5000);
  assert.equal(quiet.holding(), Number.NEGATIVE_INFINITY, 'restored (moved): starting again');
  quiet.end();
  assert.equal(quiet.holding(), undefined);
});
