import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorTestHarness } from '../../core/testing/index.ts';
import { intervalJoinPlugin } from './index.ts';
import { dropFirst, emptyBuffers, insertSorted, provenanceAt, rangeEnd, rangeStart, rowAt } from './buffer.ts';

const L = (user: string, t: number, extra: Record<string, unknown> = {}) => ({ value: { user, side: 'L', t, ...extra }, time: t, provenance: { source: 'l', offset: t } });
const R = (uid: string, t: number, extra: Record<string, unknown> = {}) => ({ value: { uid, side: 'R', t, ...extra }, time: t, provenance: { source: 'r', offset: t } });
const pairs = (h: OperatorTestHarness) => h.output().map((o) => [(o.value.left as { t: number }).t, (o.value.right as { t: number }).t, o.time]);

void test('emits pairs within [lower, upper] on arrival, with max time and both provenances', () => {
  const h = OperatorTestHarness.for(intervalJoinPlugin, { key: { left: 'user', right: 'uid' }, lower: '-10ms', upper: '5ms' });
  h.push([L('a', 100), L('b', 100)], 0);
  h.push([R('a', 90), R('a', 89), R('a', 105), R('a', 106), R('b', 101)], 1);
  assert.deepEqual(pairs(h), [[100, 90, 100], [100, 105, 105], [100, 101, 101]]);
  assert.equal(h.output()[0]!.value.key, 'a');
  assert.deepEqual(h.output()[0]!.provenance, [{ source: 'l', offset: 100 }, { source: 'r', offset: 90 }]);
  h.push([L('a', 95)], 0); // r ∈ [85, 100]: 89 and 90, in time order
  assert.deepEqual(pairs(h).slice(3), [[95, 89, 95], [95, 90, 95]]);
});

void test('exclusive bounds', () => {
  const h = OperatorTestHarness.for(intervalJoinPlugin, { key: 'k', lower: '0s', upper: '10ms', lower_inclusive: false, upper_inclusive: false });
  h.push([{ value: { k: 1, n: 'l' }, time: 100 }], 0);
  h.push([100, 101, 109, 110].map((t) => ({ value: { k: 1, n: 'r' }, time: t })), 1);
  assert.deepEqual(h.output().map((o) => o.time), [101, 109]);
  h.push([{ value: { k: 1, n: 'l2' }, time: 90 }, { value: { k: 1, n: 'l3' }, time: 110 }], 0); // 90 → (90,100): none; 110 → (110,120): none
  assert.equal(h.output().length, 2);
});

void test('late records and cleanup at bound + allowed_lateness', () => {
  const h = OperatorTestHarness.for(intervalJoinPlugin, { key: 'k', lower: '-5ms', upper: '5ms', allowed_lateness: '10ms' });
  h.push([{ value: { k: 1 }, time: 100 }], 0);
  h.watermark(114); // left 100 is needed while W ≤ 100 + 5 + 10 = 115
  assert.equal(h.stateStats().timers, 1);
  h.push([{ value: { k: 1 }, time: 104 }], 1); // 104 ≥ 114 − 10: not late, matches
  assert.equal(h.output().length, 1);
  h.push([{ value: { k: 1 }, time: 103 }], 1); // 103 < 104: late
  assert.equal(h.late()[0]!.reason, 'join_late');
  assert.equal(h.late()[0]!.watermark, 114);
  h.watermark(116);
  assert.deepEqual(h.host.instance && (h.host.instance as unknown as { buffered(): number[] }).buffered(), [0, 1]);
  h.watermark(104 + 5 + 10 + 1);
  assert.equal(h.stateStats().keys, 0, 'both sides freed');
});

void test('1 ms boundary: an entry still matches at W = ts + upper + allowed_lateness, not after', () => {
  const config = { key: 'k', lower: '-5ms', upper: '5ms', allowed_lateness: '10ms' };
  const h = OperatorTestHarness.for(intervalJoinPlugin, config);
  h.push([{ value: { k: 1 }, time: 100 }], 0).watermark(115);
  h.push([{ value: { k: 1 }, time: 105 }], 1); // 105 ≥ 115 − 10: not late; 105 − 100 = upper
  assert.equal(h.output().length, 1);
  const g = OperatorTestHarness.for(intervalJoinPlugin, config);
  g.push([{ value: { k: 1 }, time: 100 }], 0).watermark(116);
  assert.equal(g.stateStats().keys, 0, 'freed at bound + lateness + 1 ms');
  g.push([{ value: { k: 1 }, time: 106 }], 1);
  assert.equal(g.output().length, 0);
});

void test('projection in join scope; an expression error dead-letters the pair', () => {
  const h = OperatorTestHarness.for(intervalJoinPlugin, { key: 'user', lower: '0s', upper: '1s', project: { user: 'left.user', total: 'left.amount + right.fee' } });
  h.push([{ value: { user: 'u', amount: 10 }, time: 1 }, { value: { user: 'v', amount: 1 }, time: 1 }], 0);
  h.push([{ value: { user: 'u', fee: 2 }, time: 2 }, { value: { user: 'v' }, time: 3 }], 1);
  assert.deepEqual(h.outputValues(), [{ user: 'u', total: 12 }]);
  assert.equal(h.deadLetters().length, 1);
  assert.equal(h.deadLetters()[0]!.reason, 'expr_error');
  assert.deepEqual(h.deadLetters()[0]!.record, { left: { user: 'v', amount: 1 }, right: { user: 'v' } });
});

void test('buffer bound: the side over it is reported blocked; snapshot keeps buffers and counts', async () => {
  const config = { key: 'k', lower: '0s', upper: '1h', max_buffered_per_side: 3 };
  const h = OperatorTestHarness.for(intervalJoinPlugin, config);
  h.push([1, 2, 3, 4].map((t) => ({ value: { k: t % 2 }, time: t })), 0);
  assert.deepEqual(h.blockedInputs(), [0]);
  const r = await OperatorTestHarness.for(intervalJoinPlugin, config).restore(await h.snapshot());
  assert.deepEqual(r.blockedInputs(), [0]);
  r.push([{ value: { k: 1 }, time: 5 }], 1);
  assert.deepEqual(r.output().map((o) => (o.value.left as { k: number }).k), [1, 1]);
  r.watermark(3_600_000 + 5);
  assert.deepEqual(r.blockedInputs(), []);
});

void test('rejects an empty interval', () => {
  assert.throws(() => OperatorTestHarness.for(intervalJoinPlugin, { key: 'k', lower: '1s', upper: '0s' }), /empty/);
});

void test('sorted buffer: stable insertion (small and large sides), range lookups, rows and provenance interleaved', () => {
  for (const extra of [0, 20]) {
    const b = emptyBuffers();
    for (let i = 0; i < extra; i++) insertSorted(b, true, 0, { v: `x${i}` }, undefined);
    for (const [t, v] of [[5, 'a'], [3, 'b'], [5, 'c'], [1, 'd'], [3, 'e']] as const) insertSorted(b, true, t, { v }, v === 'c' ? { source: 's', offset: 1 } : undefined);
    const times = b.lt!.slice(extra);
    const vals = b.lv!.slice(2 * extra);
    assert.equal(b.rt, undefined);
    assert.deepEqual(times, [1, 3, 3, 5, 5]);
    assert.deepEqual(times.map((_, i) => rowAt(vals, i).v), ['d', 'b', 'e', 'a', 'c']);
    assert.deepEqual(times.map((_, i) => provenanceAt(vals, i)), [undefined, undefined, undefined, undefined, { source: 's', offset: 1 }]);
    assert.deepEqual([rangeStart(times, 3, true), rangeEnd(times, 5, false)], [1, 3]);
    assert.deepEqual([rangeStart(times, 3, false), rangeEnd(times, 5, true)], [3, 5]);
    assert.deepEqual([rangeStart(times, 6, true), rangeEnd(times, 9, true)], [5, 5]);
    dropFirst(times, vals, 2);
    assert.deepEqual([times, vals.length, rowAt(vals, 0).v], [[3, 5, 5], 6, 'e']);
  }
});

void test('one timer per key, not per buffered record; every record is still freed on time', () => {
  const h = OperatorTestHarness.for(intervalJoinPlugin, { key: 'k', lower: '0s', upper: '10ms' });
  h.push([10, 11, 12, 5, 30].map((t) => ({ value: { k: 1, t }, time: t })), 0);
  assert.equal(h.stateStats().timers, 2, 'one at 21, one at 16 once 5 became the earliest');
  h.watermark(21); // frees 5 and 10 (cleanup 16, 21)
  assert.deepEqual((h.host.instance as unknown as { buffered(): number[] }).buffered(), [3, 0]);
  assert.equal(h.stateStats().timers, 1);
  h.push([{ value: { k: 1, t: 21 }, time: 21 }], 1); // matches 11, 12 (not 10, freed; not 30)
  assert.deepEqual(pairs(h), [[11, 21, 21], [12, 21, 21]]);
  h.watermark(41);
  assert.equal(h.stateStats().keys, 0);
  assert.equal(h.stateStats().timers, 0);
});

void test('a later record\'s earlier timer fires: the timer registered before it still covers the key, and nothing is registered again', () => {
  const h = OperatorTestHarness.for(intervalJoinPlugin, { key: 'k', lower: '0s', upper: '1h' });
  const timers = h.host.timers;
  const registered: number[] = [];
  const register = timers.register.bind(timers);
  timers.register = (key, timestamp, domain) => {
    registered.push(timestamp);
    return register(key, timestamp, domain);
  };
  h.push([{ value: { k: 1, t: 0 }, time: 0 }], 0); // kept to 0 + 1h + 1 ms, timer at the next 1 s granule
  h.push([{ value: { k: 1, t: 10 }, time: 10 }], 1); // pairs; kept to 11 ms, timer at 1 s
  assert.deepEqual(registered, [3_601_000, 1000]);
  h.watermark(1000); // frees the right record; the timer at 3 601 000 is still to come
  assert.deepEqual((h.host.instance as unknown as { buffered(): number[] }).buffered(), [1, 0]);
  assert.deepEqual(registered, [3_601_000, 1000], 'no timer registered again');
  assert.equal(h.stateStats().timers, 1);
  h.push([{ value: { k: 1, t: 3_600_000 }, time: 3_600_000 }], 1); // still pairs with the left record
  assert.deepEqual(pairs(h).map(([l, r]) => [l, r]), [[0, 10], [0, 3_600_000]]);
  h.watermark(3_601_000); // the right record's own timer came first (3 601 000 too: one timer); all freed
  assert.equal(h.stateStats().keys, 0);
  assert.equal(h.stateStats().timers, 0);
});

void test('where: only pairs for which the condition holds are emitted; a failing condition dead-letters the pair', () => {
  const h = OperatorTestHarness.for(intervalJoinPlugin, {
    key: { left: 'user', right: 'uid' }, lower: '0s', upper: '100ms',
    where: 'right.t < left.end && right.action in left.actions',
    project: { user: 'left.user', action: 'right.action' },
  });
  h.push([L('a', 100, { end: 150, actions: ['click'] })], 0);
  h.push([R('a', 110, { action: 'click' }), R('a', 120, { action: 'save' }), R('a', 160, { action: 'click' }), R('a', 130)], 1);
  assert.deepEqual(h.outputValues(), [{ user: 'a', action: 'click' }]);
  assert.equal(h.host.counters.get('filtered'), 2);
  const dead = h.deadLetters();
  assert.equal(dead.length, 1, 'the pair whose right side has no action');
  assert.equal(dead[0]!.reason, 'expr_error');
  assert.deepEqual(dead[0]!.provenance, [{ source: 'l', offset: 100 }, { source: 'r', offset: 130 }]);
});
