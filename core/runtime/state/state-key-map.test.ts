import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StateKey } from '../../api/state.ts';
import { StateKeyMap } from './state-key-map.ts';

/** The same operations on a `StateKeyMap` and a `Map` give the same answers, and the same entries (as sets). */
function agree(m: StateKeyMap<unknown>, model: Map<StateKey, unknown>): void {
  assert.equal(m.size, model.size);
  const entries = [...m];
  assert.equal(entries.length, model.size);
  for (const [k, v] of entries) assert.ok(model.has(k) && Object.is(model.get(k), v), `entry ${String(k)}`);
  assert.deepEqual([...m.keys()], entries.map(([k]) => k));
  assert.deepEqual([...m.values()], entries.map(([, v]) => v));
  const step = Math.max(1, Math.floor(entries.length / 10));
  assert.deepEqual(m.sample(10), entries.filter((_, i) => i % step === 0).slice(0, 10));
  const { keys, values } = m.copy();
  assert.deepEqual([keys, values], [entries.map(([k]) => k), entries.map(([, v]) => v)]);
}

void test('random sets, gets and deletes of dense, sparse, negative, fractional and text keys agree with a Map', () => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
  const pick = (): StateKey => {
    switch (rnd(8)) {
      case 0: return rnd(50_000) * 1_000_003; // sparse: stays in the Map
      case 1: return -rnd(100);
      case 2: return rnd(100) + 0.5;
      case 3: return `k${rnd(300)}`;
      case 4: return String(rnd(300)); // text, not the number
      default: return rnd(20_000); // dense ids
    }
  };
  const m = new StateKeyMap<unknown>();
  const model = new Map<StateKey, unknown>();
  for (let step = 0; step < 60_000; step++) {
    const key = pick();
    const op = rnd(10);
    if (op < 5) {
      const value = rnd(10) === 0 ? undefined : step;
      m.set(key, value);
      model.set(key, value);
    } else if (op < 7) assert.equal(m.delete(key), model.delete(key));
    else {
      assert.equal(m.has(key), model.has(key));
      assert.equal(m.get(key), model.get(key));
    }
    if (step % 5000 === 0) agree(m, model);
  }
  agree(m, model);
  m.clear();
  model.clear();
  agree(m, model);
});

void test('ids from a sequence end up in the array; -0 is 0; sparse integers never grow it', () => {
  const m = new StateKeyMap<number>();
  // In random order, as a batch of users would come: most land in the Map first, then move.
  const ids = Array.from({ length: 100_000 }, (_, i) => i + 1);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  for (const id of ids) m.set(id, id);
  const inner = m as unknown as { slots: unknown[]; others: Map<StateKey, number> };
  assert.ok(inner.slots.length >= 100_001 && inner.slots.length <= 4 * 100_001, `capacity ${inner.slots.length}`);
  assert.ok(inner.others.size < 100, `${inner.others.size} keys left in the Map`);
  for (const id of ids) assert.equal(m.get(id), id);
  assert.equal(m.size, 100_000);
  m.set(-0, 5);
  assert.equal(m.get(0), 5);
  assert.deepEqual([...m.keys()].slice(0, 2), [0, 1]);

  const sparse = new StateKeyMap<number>();
  for (let i = 1; i <= 10_000; i++) sparse.set(i * 1_000_003, i);
  assert.equal((sparse as unknown as { slots: unknown[] }).slots.length, 0, 'no array for sparse keys');
  assert.equal(sparse.get(5 * 1_000_003), 5);
});
