import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stickyAssignment } from './sticky-assignment.ts';

const P = [0, 1, 2, 3];
const plain = (m: Map<string, number[]>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));

void test('a first join spreads the partitions evenly', () => {
  assert.deepEqual(plain(stickyAssignment([{ id: 'a', previous: [] }, { id: 'b', previous: [] }, { id: 'c', previous: [] }], P)), { a: [0, 1], b: [2], c: [3] });
});

void test('a member that dies: the survivors keep their partitions and split only the dead one\'s', () => {
  // Round robin over 3 gave a: 0,3  b: 1  c: 2; b dies. Round robin over 2 would give a: 0,2  c: 1,3 (2 and 3 move).
  const after = stickyAssignment([{ id: 'a', previous: [0, 3] }, { id: 'c', previous: [2] }], P);
  assert.deepEqual(plain(after), { a: [0, 3], c: [1, 2] });
});

void test('a member that joins takes the fewest partitions that balance the group, from the most loaded', () => {
  const after = stickyAssignment([{ id: 'a', previous: [0, 1, 2, 3] }, { id: 'b', previous: [] }], P);
  assert.deepEqual(after.get('a')!.length, 2);
  assert.deepEqual(after.get('b')!.length, 2);
  assert.deepEqual([...after.get('a')!, ...after.get('b')!].sort(), P);
  assert.ok(after.get('a')!.every((p) => [0, 1, 2, 3].includes(p)));
  // From 2 to 3 members: one partition moves, from a member that had 2.
  const three = stickyAssignment([{ id: 'a', previous: [0, 1] }, { id: 'b', previous: [2, 3] }, { id: 'c', previous: [] }], P);
  const moved = [...three.get('c')!];
  assert.equal(moved.length, 1);
  assert.equal(three.get('a')!.length + three.get('b')!.length, 3);
  assert.ok(three.get('a')!.every((p) => [0, 1].includes(p)) && three.get('b')!.every((p) => [2, 3].includes(p)));
});

void test('a partition two members claim goes to one; claims of partitions that no longer exist are dropped', () => {
  const after = stickyAssignment([{ id: 'b', previous: [1, 2, 9] }, { id: 'a', previous: [1] }], P);
  assert.deepEqual(plain(after), { a: [0, 1], b: [2, 3] });
  const all = [...after.values()].flat().sort();
  assert.deepEqual(all, P);
});

void test('every partition to exactly one member, shares differ by at most one, whatever the previous state', () => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  for (let round = 0; round < 200; round++) {
    const parts = Array.from({ length: 1 + rnd(12) }, (_, i) => i);
    const members = Array.from({ length: 1 + rnd(5) }, (_, i) => ({ id: `m${i}`, previous: parts.filter(() => rnd(3) === 0) }));
    const out = stickyAssignment(members, parts);
    assert.deepEqual([...out.values()].flat().sort((x, y) => x - y), parts);
    const sizes = [...out.values()].map((l) => l.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, JSON.stringify({ members, out: plain(out) }));
  }
});
