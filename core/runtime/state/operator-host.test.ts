import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APPEND_ONLY, ManualClock, RecordError, definePlugin, field, state } from '../../api/index.ts';
import { createExpressionCompiler } from '../expr/index.ts';
import { MemoryStateBackend } from './memory-backend.ts';
import { OperatorHost } from './operator-host.ts';

/** Counts per key; emits the count when the watermark passes ts + 10; fails odd `bad` records. */
const counter = definePlugin({
  kind: 'operator',
  name: 'test_counter',
  summary: 'test operator',
  spec: field.object({ key: field.string({ doc: 'key field' }) }),
  inputs: { min: 1, max: 1 },
  keyed: true,
  state: () => ({ n: state.value<number>() }),
  plan: (config) => ({ keys: [[config.key]], output: { changelog: APPEND_ONLY, allowedLateness: 0 } }),
  create({ state: s }) {
    return {
      processRecord(batch, i, _input, ctx) {
        const v = batch.values[i]!;
        if (v.bad) {
          ctx.fail(i, new RecordError('bad_value', 'bad'));
          return;
        }
        if (batch.times[i]! <= ctx.watermark) {
          ctx.late(v, batch.times[i]!, 'too_late', batch.provenance?.[i]);
          return;
        }
        s.n.set((s.n.get() ?? 0) + 1);
        ctx.timers.registerEventTimeTimer(batch.times[i]! + 10);
      },
      onTimer(ts, key, domain, ctx) {
        ctx.emit({ key, n: s.n.get(), at: ts, wm: ctx.watermark, domain }, ts);
      },
    };
  },
});

function host(backend = new MemoryStateBackend()) {
  return new OperatorHost({
    definition: counter, config: { key: 'u' }, id: 'c', backend, expressions: createExpressionCompiler(),
    inputs: [{ changelog: APPEND_ONLY, allowedLateness: 0 }], clock: new ManualClock(),
  });
}

const batch = (rows: [string | undefined, number, boolean?][]) => ({
  length: rows.length,
  values: rows.map(([u, , bad]) => (u === undefined ? {} : { u, ...(bad ? { bad } : {}) })),
  times: rows.map(([, t]) => t),
  provenance: rows.map((_, i) => ({ source: 's', line: i + 1 })),
});

void test('keys, timers in time order with the new watermark, late and dead-letter rows, counters', () => {
  const h = host();
  h.processBatch(batch([['a', 5], ['b', 1], ['a', 7], [undefined, 3], ['c', 2, true]]), 0);
  assert.equal(h.advanceWatermark(16), true);
  assert.equal(h.advanceWatermark(16), false, 'never the same or back');
  const out = h.take();
  assert.deepEqual(out.main.values, [
    { key: 'b', n: 1, at: 11, wm: 16, domain: 'event' },
    { key: 'a', n: 2, at: 15, wm: 16, domain: 'event' },
  ]);
  assert.deepEqual(out.deadLetter.values.map((r) => [r.reason, r.error, r.provenance]), [
    ['missing_key', "key field 'u' is missing", { source: 's', line: 4 }],
    ['bad_value', 'bad', { source: 's', line: 5 }],
  ]);
  h.processBatch(batch([['a', 16]]), 0);
  const late = h.take().late;
  assert.deepEqual(late.values, [{ operator: 'c', reason: 'too_late', watermark: 16, event_time: 16, record: { u: 'a' }, provenance: { source: 's', line: 1 } }]);
  assert.equal(h.counters.get('records_in'), 6);
  assert.equal(h.counters.get('records_out'), 2);
  assert.equal(h.counters.get('late'), 1);
  assert.equal(h.counters.get('dead_lettered'), 2);
});

void test('snapshot and restore carry timers, watermark and counters; keyed state through the backend', async () => {
  const backend = new MemoryStateBackend();
  const a = host(backend);
  a.processBatch(batch([['a', 5], ['a', 20]]), 0);
  a.advanceWatermark(15);
  a.take();
  const snap = structuredClone(a.snapshot());
  const chunks: Uint8Array[] = [];
  for await (const c of backend.snapshot(1 << 20)) chunks.push(c);

  const backend2 = new MemoryStateBackend();
  await backend2.restore((async function* () { yield* chunks; })());
  const b = host(backend2);
  b.restore(snap);
  assert.equal(b.watermark, 15);
  b.advanceWatermark(30);
  assert.deepEqual(b.take().main.values, [{ key: 'a', n: 2, at: 30, wm: 30, domain: 'event' }]);
  assert.equal(b.counters.get('records_in'), 2);
});

void test('handle runs one input item: its batch, then the input watermark; records without a key are dead-lettered once, by the host', () => {
  const h = host();
  const keyed = h.keyed(batch([['a', 5], [undefined, 3]]), 0);
  assert.deepEqual(keyed.keys, ['a'], 'keyed first, as the engine does to prefetch');
  assert.equal(h.keyed(keyed, 0), keyed, 'a keyed batch is not keyed again');
  assert.equal(h.handle(keyed, 0, 16, false), 16);
  assert.equal(h.handle(undefined, 0, 16, false), undefined, 'nothing new to forward');
  const out = h.take();
  assert.deepEqual(out.main.values, [{ key: 'a', n: 1, at: 15, wm: 16, domain: 'event' }]);
  assert.deepEqual(out.deadLetter.values.map((r) => [r.operator, r.reason, r.provenance]), [['c', 'missing_key', { source: 's', line: 2 }]]);
  assert.equal(h.counters.get('dead_lettered'), 1);
  assert.equal(h.allEnded, false);
  assert.equal(h.handle(undefined, 0, undefined, true), Number.POSITIVE_INFINITY, 'the end is +∞');
  assert.equal(h.allEnded, true);
  assert.deepEqual(h.inputSnapshot(), { inputs: { inputs: [Number.POSITIVE_INFINITY], current: Number.POSITIVE_INFINITY }, ended: [true] });
});

void test('handle: a broadcast input does not hold the watermark back; the instance\'s hold does, and its release moves it on', () => {
  let hold = Number.POSITIVE_INFINITY;
  const holder = definePlugin({
    kind: 'operator',
    name: 'test_holder',
    summary: 'test operator',
    spec: field.object({}),
    inputs: { min: 2, max: 2 },
    keyed: false,
    plan: () => ({ broadcastInputs: [1], output: { changelog: APPEND_ONLY, allowedLateness: 0 } }),
    create: () => ({ processBatch() {}, watermarkHold: () => hold }),
  });
  const info = { changelog: APPEND_ONLY, allowedLateness: 0 };
  const h = new OperatorHost({ definition: holder, config: {}, id: 'h', backend: new MemoryStateBackend(), expressions: createExpressionCompiler(), inputs: [info, info], clock: new ManualClock() });
  assert.equal(h.handle(undefined, 1, 50, false), undefined, 'the broadcast input alone moves nothing');
  assert.equal(h.handle(undefined, 0, 10, false), 10);
  hold = 12;
  assert.equal(h.handle(undefined, 0, 20, false), 12, 'held back');
  assert.equal(h.watermark, 20, 'the operator itself is at 20');
  hold = Number.POSITIVE_INFINITY;
  assert.equal(h.handle(batch([['x', 30]]), 0, undefined, false), 20, 'released by a batch');
});

void test('handle with a slice: a watermark firing many timers hands their rows on in slices, and the watermark after the last', () => {
  const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
  const rows = keys.map((k, i): [string, number] => [k, i % 7]);
  const whole = host();
  assert.equal(whole.handle(batch(rows), 0, 100, false), 100);
  const expected = whole.take().main.values;
  assert.equal(expected.length, 1000);

  const h = host();
  assert.equal(h.handle(batch(rows), 0, 100, false, 200), undefined, 'no watermark while timers are still due');
  const slices: number[] = [];
  const got = [];
  for (;;) {
    assert.equal(h.firing, true);
    assert.throws(() => h.handle(undefined, 0, 101, false), /fed while its timers were still firing/);
    const out = h.take().main.values;
    slices.push(out.length);
    got.push(...out);
    const forward = h.resume(200);
    if (!h.firing) {
      assert.equal(forward, 100, 'the watermark comes with the last slice');
      break;
    }
    assert.equal(forward, undefined);
  }
  got.push(...h.take().main.values);
  assert.deepEqual(got, expected, 'the same rows in the same order as in one go');
  assert.ok(slices.length >= 3, `slices ${slices.join(', ')}`);
  // Checked every 64 timers (one row each here): a slice stops within 64 rows past its 200.
  for (const n of slices) assert.ok(n >= 200 && n < 200 + 64, `slice of ${n} rows`);
  assert.equal(h.resume(200), undefined, 'nothing to resume');
  assert.equal(h.handle(undefined, 0, 101, false, 200), 101, 'fed again once done');
});
