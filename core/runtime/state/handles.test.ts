import { test } from 'node:test';
import assert from 'node:assert/strict';
import { state } from '../../api/state.ts';
import { MemoryStateBackend } from './memory-backend.ts';
import { KeyContext } from './key-context.ts';
import { createStateHandles } from './handles.ts';

function setup(descriptors: Parameters<typeof createStateHandles>[2], backend = new MemoryStateBackend()) {
  const kc = new KeyContext();
  const time = { wm: Number.NEGATIVE_INFINITY, now: 0 };
  const set = createStateHandles(backend, 'op', descriptors, kc, { watermark: () => time.wm, now: () => time.now });
  return { kc, time, set, backend, h: set.handles as Record<string, any> };
}

void test('value, map and list state are scoped to the current key', () => {
  const { kc, h } = setup({ v: state.value<number>(), m: state.map<string, number>(), l: state.list<string>() });
  kc.key = 'a';
  h.v.set(1);
  h.m.set('x', 1);
  h.l.add('p');
  h.l.add('q');
  kc.key = 'b';
  assert.equal(h.v.get(), undefined);
  assert.equal(h.m.size, 0);
  assert.deepEqual(h.l.get(), []);
  h.m.set('y', 2);
  kc.key = 'a';
  assert.equal(h.v.get(), 1);
  assert.deepEqual([...h.m.entries()], [['x', 1]]);
  assert.deepEqual(h.l.get(), ['p', 'q']);
  h.m.delete('x');
  assert.equal(h.m.has('x'), false);
  h.l.update([]);
  h.v.clear();
  assert.equal(h.v.get(), undefined);
});

void test('state without a current key throws', () => {
  const { h } = setup({ v: state.value<number>() });
  assert.throws(() => h.v.get(), /no current key/);
});

void test('event-time TTL: expires when the watermark reaches the largest written time + ttl', () => {
  const { kc, time, set, h, backend } = setup({ v: state.value<number>({ ttl: { ms: 100, on: 'event' } }) });
  kc.key = 'a';
  kc.time = 50;
  h.v.set(1);
  kc.time = 20; // an older write does not shorten the life
  h.v.set(2);
  kc.key = 'b';
  kc.time = 10;
  h.v.set(3);
  time.wm = 109;
  assert.equal(h.v.get(), 3, 'b lives until 110');
  time.wm = 110;
  assert.equal(h.v.get(), undefined, 'b is invisible at 110');
  kc.key = 'a';
  assert.equal(h.v.get(), 2);
  assert.equal(set.expire(149, 0), 0);
  assert.equal(set.expire(150, 0), 1, 'a expires at 150; b was already dropped on read');
  assert.equal(backend.table('op', 'v').size, 0);
});

void test('processing-time TTL: last write + ttl; cleanup removes due entries only', () => {
  const { kc, time, set, h, backend } = setup({ m: state.map<string, number>({ ttl: { ms: 10, on: 'processing' } }) });
  for (let i = 0; i < 100; i++) {
    kc.key = `k${i}`;
    time.now = i;
    h.m.set('x', i);
  }
  assert.equal(set.expire(0, 50), 41); // k0..k40 expire at 10..50
  assert.equal(backend.table('op', 'm').size, 59);
  kc.key = 'k41';
  time.now = 51;
  h.m.set('y', 1); // refreshed: now expires at 61
  assert.equal(set.expire(0, 60), 9, "k42..k50; k41 was refreshed");
  kc.key = 'k41';
  assert.equal(h.m.get('y'), 1);
  assert.equal(set.expire(0, 61), 2, "k41 (refreshed) and k51");
});

void test('TTL bookkeeping survives a snapshot and restore', async () => {
  const a = setup({ v: state.value<number>({ ttl: { ms: 100, on: 'event' } }) });
  a.kc.key = 'k';
  a.kc.time = 0;
  a.h.v.set(7);
  const chunks: Uint8Array[] = [];
  for await (const c of a.backend.snapshot(1 << 20)) chunks.push(c);
  const b = setup({ v: state.value<number>({ ttl: { ms: 100, on: 'event' } }) });
  await b.backend.restore((async function* () { yield* chunks; })());
  b.set.reload();
  b.kc.key = 'k';
  assert.equal(b.h.v.get(), 7);
  assert.equal(b.set.expire(100, 0), 1);
  assert.equal(b.h.v.get(), undefined);
});

void test('a cleared and rewritten key is expired by its new time, not the old one', () => {
  const { kc, set, h } = setup({ v: state.value<number>({ ttl: { ms: 10, on: 'event' } }) });
  kc.key = 'k';
  kc.time = 0;
  h.v.set(1);
  h.v.clear();
  kc.time = 100;
  h.v.set(2);
  assert.equal(set.expire(50, 0), 0);
  assert.equal(h.v.get(), 2);
  assert.equal(set.expire(110, 0), 1);
});
