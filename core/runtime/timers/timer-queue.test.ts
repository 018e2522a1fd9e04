import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StateKey } from '../../api/state.ts';
import { TimerQueue, type Timer } from './timer-queue.ts';
import { createTimerService } from './timer-service.ts';
import { KeyContext } from '../state/key-context.ts';

function drain(q: TimerQueue, wm: number): [StateKey, number][] {
  const out: [StateKey, number][] = [];
  for (let t: Timer | undefined = q.popDue(wm); t; t = q.popDue(wm)) out.push([t.key, t.timestamp]);
  return out;
}

void test('due timers pop in time order, ties in registration order, one per key and timestamp', () => {
  const q = new TimerQueue();
  q.register('b', 20, 'event');
  q.register('a', 10, 'event');
  q.register('c', 20, 'event');
  assert.equal(q.register('b', 20, 'event'), false, 'duplicate');
  q.register('a', 20, 'event');
  q.register('a', 10, 'processing');
  assert.equal(q.size, 5);
  assert.deepEqual(drain(q, 15), [['a', 10]]);
  assert.deepEqual(drain(q, 25), [['b', 20], ['c', 20], ['a', 20]]);
  assert.equal(q.sizeOf('processing'), 1);
  assert.equal(q.popDueProcessing(9), undefined);
  assert.equal(q.popDueProcessing(10)?.key, 'a');
});

void test('deleted timers never fire; many deletions are compacted', () => {
  const q = new TimerQueue();
  for (let i = 0; i < 5000; i++) q.register(`k${i}`, i, 'event');
  for (let i = 0; i < 5000; i += 2) q.delete(`k${i}`, i, 'event');
  assert.equal(q.size, 2500);
  const fired = drain(q, 100);
  assert.deepEqual(fired.map(([, t]) => t), Array.from({ length: 50 }, (_, i) => 2 * i + 1));
  assert.equal(q.nextTimestamp('event'), 101);
});

void test('snapshot and restore keep timers and their tie order', () => {
  const q = new TimerQueue();
  q.register('z', 5, 'event');
  q.register('y', 5, 'event');
  q.register('x', 1, 'processing');
  q.delete('z', 5, 'event');
  q.register('z', 5, 'event'); // re-registered: now after y
  const snap = structuredClone(q.snapshot());
  const r = new TimerQueue();
  r.restore(snap);
  r.register('w', 5, 'event');
  assert.deepEqual(drain(r, 5), [['y', 5], ['z', 5], ['w', 5]]);
  assert.equal(r.popDueProcessing(1)?.key, 'x');
});

void test('the timer service registers for the current key', () => {
  const q = new TimerQueue();
  const kc = new KeyContext();
  const timers = createTimerService(q, kc);
  assert.throws(() => timers.registerEventTimeTimer(1), /no current key/);
  kc.key = 'u';
  timers.registerEventTimeTimer(3);
  timers.registerProcessingTimeTimer(4);
  timers.deleteProcessingTimeTimer(4);
  assert.ok(q.has('u', 3, 'event'));
  assert.equal(q.size, 1);
});

void test('many keys at one timestamp pop in registration order; a due timer registered while popping pops in the same round', () => {
  const q = new TimerQueue();
  for (let i = 0; i < 3000; i++) q.register(`k${i}`, 7, 'event');
  for (let i = 0; i < 3000; i += 3) q.delete(`k${i}`, 7, 'event');
  q.register('k0', 7, 'event'); // deleted, then back: now last
  const popped: StateKey[] = [];
  for (let t = q.popDue(10); t; t = q.popDue(10)) {
    popped.push(t.key);
    if (t.key === 'k1') q.register('late', 5, 'event'); // earlier time, already due
    if (t.key === 'k2' && popped.length === 3) q.register('k2', 7, 'event'); // its own time again, once
  }
  const kept = Array.from({ length: 3000 }, (_, i) => i).filter((i) => i % 3 !== 0).map((i) => `k${i}`);
  assert.deepEqual(popped, ['k1', 'late', 'k2', ...kept.slice(2), 'k0', 'k2']);
  assert.equal(q.size, 0);
  assert.equal(q.nextTimestamp('event'), undefined);
});

void test('while a shared timestamp fires: popped keys are gone, a popped key re-registered pops again last, a removed one never pops', () => {
  const q = new TimerQueue();
  for (const k of ['a', 'b', 'c', 'd']) q.register(k, 10, 'event');
  assert.equal(q.popDue(10)?.key, 'a');
  assert.equal(q.popDue(10)?.key, 'b');
  assert.equal(q.has('a', 10, 'event'), false, 'a popped');
  assert.equal(q.has('c', 10, 'event'), true, 'c still due');
  assert.equal(q.size, 2);
  assert.equal(q.register('a', 10, 'event'), true, 'a again: a new timer');
  q.delete('c', 10, 'event');
  assert.equal(q.snapshot().keys.join(), 'd,a', 'a snapshot sees exactly the timers still due');
  assert.deepEqual(drain(q, 10), [['d', 10], ['a', 10]]);
  assert.equal(q.size, 0);
  assert.equal(q.nextTimestamp('event'), undefined);
  q.register('b', 10, 'event');
  assert.deepEqual(drain(q, 10), [['b', 10]], 'the timestamp starts afresh once all popped');
});

void test('random registrations, deletions, lookups and pops agree with a model of the queue', () => {
  let seed = 42;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
  const q = new TimerQueue();
  const model: [string, number][] = []; // due order: by time, then registration
  for (let step = 0; step < 20_000; step++) {
    const key = `k${rnd(30)}`;
    const ts = rnd(4);
    const op = rnd(10);
    if (op < 5) {
      const fresh = !model.some(([k, t]) => k === key && t === ts);
      assert.equal(q.register(key, ts, 'event'), fresh);
      if (fresh) model.push([key, ts]);
    } else if (op < 7) {
      q.delete(key, ts, 'event');
      const at = model.findIndex(([k, t]) => k === key && t === ts);
      if (at >= 0) model.splice(at, 1);
    } else if (op < 8) {
      assert.equal(q.has(key, ts, 'event'), model.some(([k, t]) => k === key && t === ts));
    } else {
      // A bound below some times: a time's group is popped from, left, added to and popped again.
      const bound = rnd(4);
      const got = q.popDue(bound);
      let best = -1;
      for (let i = 0; i < model.length; i++) if (model[i]![1] <= bound && (best < 0 || model[i]![1] < model[best]![1])) best = i;
      if (best < 0) assert.equal(got, undefined);
      else {
        assert.deepEqual([got?.key, got?.timestamp], model[best]);
        model.splice(best, 1);
      }
    }
    assert.equal(q.size, model.length);
  }
});
