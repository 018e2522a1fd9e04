import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APPEND_ONLY, ManualClock, definePlugin, field, state } from '../../api/index.ts';
import type { StateBackend } from '../../api/index.ts';
import { createExpressionCompiler } from '../expr/index.ts';
import { MemoryStateBackend } from './memory-backend.ts';
import { OperatorHost } from './operator-host.ts';

/** Counts per key (with event-time TTL); on the key's timer emits the key as the operator sees it. */
function counter(integerKeys: boolean) {
  return definePlugin({
    kind: 'operator',
    name: 'test_int_counter',
    summary: 'test operator',
    spec: field.object({}),
    inputs: { min: 1, max: 1 },
    keyed: true,
    integerKeys,
    state: () => ({ n: state.value<number>({ ttl: { ms: 1000, on: 'event' } }) }),
    plan: () => ({ keys: [['u']], output: { changelog: APPEND_ONLY, allowedLateness: 0 } }),
    create({ state: s }) {
      return {
        processRecord(batch, i, _input, ctx) {
          assert.equal(ctx.currentKey, batch.keys![i]);
          s.n.set((s.n.get() ?? 0) + 1);
          ctx.timers.registerEventTimeTimer(100);
        },
        onTimer(_ts, key, _domain, ctx) {
          ctx.emit({ key, type: typeof key, n: s.n.get() }, 100);
        },
      };
    },
  });
}

function host(integerKeys: boolean, backend: StateBackend = new MemoryStateBackend()) {
  return new OperatorHost({
    definition: counter(integerKeys), config: {}, id: 'c', backend, expressions: createExpressionCompiler(),
    inputs: [{ changelog: APPEND_ONLY, allowedLateness: 0 }], clock: new ManualClock(),
  });
}

const batch = (users: unknown[], keys?: string[]) => ({
  length: users.length,
  values: users.map((u) => ({ u })),
  times: users.map(() => 10),
  ...(keys ? { keys } : {}),
});

/** The emitted rows, by key text. */
function fire(h: OperatorHost) {
  h.advanceWatermark(100);
  return [...h.take().main.values].sort((a, b) => String(a.key).localeCompare(String(b.key)));
}

void test('integer keys: an integer and its canonical text are one number key; every other value stays the string it was', () => {
  const h = host(true);
  h.processBatch(batch([42, '42', 7, '007', -3, '-3', -0, '0', 1.5, 2 ** 53, 'u1', true]), 0);
  assert.deepEqual(fire(h), [
    { key: -3, type: 'number', n: 2 },
    { key: 0, type: 'number', n: 2 }, // −0 is 0, as its text "0" was
    { key: '007', type: 'string', n: 1 },
    { key: '1.5', type: 'string', n: 1 },
    { key: 42, type: 'number', n: 2 },
    { key: 7, type: 'number', n: 1 },
    { key: '9007199254740992', type: 'string', n: 1 }, // not a safe integer
    { key: 'true', type: 'string', n: 1 },
    { key: 'u1', type: 'string', n: 1 },
  ]);
});

void test('without integerKeys, or over a backend that does not take them, every key is a string', () => {
  const plain = host(false);
  plain.processBatch(batch([42, '42']), 0);
  assert.deepEqual(fire(plain), [{ key: '42', type: 'string', n: 2 }]);

  const memory = new MemoryStateBackend();
  const stringsOnly: StateBackend = { table: (o, s) => memory.table(o, s), snapshot: (n) => memory.snapshot(n), restore: (c) => memory.restore(c) };
  const h = host(true, stringsOnly);
  h.processBatch(batch([42]), 0);
  assert.deepEqual(fire(h), [{ key: '42', type: 'string', n: 1 }]);
});

void test('a batch that comes with its keys (the test kit) gets them as the operator holds them', () => {
  const h = host(true);
  h.processBatch(batch([42, 'x'], ['42', 'x']), 0);
  assert.deepEqual(fire(h), [{ key: 42, type: 'number', n: 1 }, { key: 'x', type: 'string', n: 1 }]);
});

void test('a checkpoint written with string keys restores into number keys: state, TTL and timers', async () => {
  const backend = new MemoryStateBackend();
  const before = host(false, backend);
  before.processBatch(batch([42, 'u1']), 0);
  const snap = structuredClone(before.snapshot());
  const chunks: Uint8Array[] = [];
  for await (const c of backend.snapshot(1 << 20)) chunks.push(c);

  const restored = new MemoryStateBackend();
  await restored.restore((async function* () { yield* chunks; })());
  assert.deepEqual([...restored.table('c', 'n').keys()].sort(), ['42', 'u1']);
  const after = host(true, restored);
  after.restore(snap);
  assert.deepEqual([...restored.table('c', 'n').keys()].map(String).sort(), ['42', 'u1']);
  assert.ok(restored.table('c', 'n').get(42) !== undefined && restored.table('c', 'n').get('42') === undefined);
  assert.equal(restored.table('c', 'n\u0000ttl').get(42), 1010, 'the TTL entry moved with it');
  after.processBatch(batch([42]), 0); // the same key as the restored one
  assert.deepEqual(fire(after), [{ key: 42, type: 'number', n: 2 }, { key: 'u1', type: 'string', n: 1 }]);
  assert.equal(after.timers.size, 0, 'one timer per key: the restored one and the new one are the same');
});
