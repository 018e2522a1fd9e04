import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APPEND_ONLY, definePlugin, field, state } from '../api/index.ts';
import { filterPlugin } from '../../plugins/operator-filter/index.ts';
import { OperatorTestHarness } from './index.ts';

void test('drives a stateless operator: main output and expression errors dead-lettered', () => {
  const h = OperatorTestHarness.for(filterPlugin, { where: 'amount > 10' });
  h.push([
    { value: { amount: 5 }, time: 1 },
    { value: { amount: 50 }, time: 2, provenance: { source: 'f', line: 2 } },
    { value: { other: 1 }, time: 3 },
  ]);
  assert.deepEqual(h.output(), [{ value: { amount: 50 }, time: 2, kind: 'insert', provenance: { source: 'f', line: 2 } }]);
  assert.equal(h.deadLetters().length, 1);
  assert.equal(h.deadLetters()[0]!.reason, 'expr_error');
});

void test('rejects a config its spec rejects', () => {
  assert.throws(() => OperatorTestHarness.for(filterPlugin, { where: 'a > 1', extra: 1 }), /extra: unknown key/);
  assert.throws(() => OperatorTestHarness.for(filterPlugin, {}), /"where"/);
});

/** Two keyed inputs, input 1 broadcast; emits the last value per key at each watermark. */
const lastValue = definePlugin({
  kind: 'operator',
  name: 'last_value',
  summary: 'test operator',
  spec: field.object({ delay: field.duration({ doc: 'timer delay', default: '10ms' }) }),
  inputs: { min: 2, max: 2 },
  keyed: true,
  state: () => ({ last: state.value<unknown>() }),
  plan: () => ({ keys: [['k'], undefined], broadcastInputs: [1], output: { changelog: { mode: 'upsert' as const, key: ['k'] }, allowedLateness: 0 } }),
  create({ state: s, config }) {
    let side = 0;
    return {
      processRecord(batch, i, _input, ctx) {
        const fresh = s.last.get() === undefined;
        s.last.set(batch.values[i]!.v);
        if (fresh) ctx.timers.registerEventTimeTimer(batch.times[i]! + config.delay);
        ctx.timers.registerProcessingTimeTimer(ctx.processingTime() + 100);
      },
      processBatch(batch) {
        side += batch.length;
      },
      onTimer(ts, key, domain, ctx) {
        ctx.emit({ k: key, v: s.last.get(), domain, side }, ts, domain === 'event' ? 'insert' : 'update');
      },
      snapshot: () => side,
      restore: (snap) => void (side = snap as number),
    };
  },
});

void test('watermark is the min over non-broadcast inputs; processing time; snapshot into a fresh harness', async () => {
  const inputs = [{ changelog: APPEND_ONLY, allowedLateness: 0 }, { changelog: APPEND_ONLY, allowedLateness: 0 }];
  const h = OperatorTestHarness.for(lastValue, {}, { inputs });
  h.push([{ value: { k: 'a', v: 1 }, time: 0 }, { value: { k: 'b', v: 2 }, time: 5 }]);
  h.push([{ value: {}, time: 0 }], 1);
  h.watermark(100, 1);
  assert.equal(h.currentWatermark, Number.NEGATIVE_INFINITY, 'broadcast input does not move the watermark');
  h.watermark(12, 0);
  assert.deepEqual(h.outputValues(), [{ k: 'a', v: 1, domain: 'event', side: 1 }]);
  h.watermark(3, 0);
  assert.equal(h.currentWatermark, 12, 'never back');

  const snap = await h.snapshot();
  const r = await OperatorTestHarness.for(lastValue, {}, { inputs }).restore(snap);
  r.push([{ value: { k: 'b', v: 3 }, time: 13 }]);
  r.advanceProcessingTime(100);
  r.endOfInput();
  assert.deepEqual(r.output().map((o) => [o.value.k, o.value.v, o.value.domain, o.value.side, o.kind]), [
    ['a', 1, 'processing', 1, 'update'],
    ['b', 3, 'processing', 1, 'update'],
    ['b', 3, 'event', 1, 'insert'],
  ]);
  assert.deepEqual([...r.upsertTable().keys()], ['"a"', '"b"']);
  assert.equal(r.stateStats().keys, 2);
});

void test('explicit keys on pushed records', () => {
  const inputs = [{ changelog: APPEND_ONLY, allowedLateness: 0 }, { changelog: APPEND_ONLY, allowedLateness: 0 }];
  const h = OperatorTestHarness.for(lastValue, { delay: '1s' }, { inputs });
  h.push([{ value: { v: 9 }, time: 0, key: 'x' }]);
  h.endOfInput();
  assert.deepEqual(h.outputValues(), [{ k: 'x', v: 9, domain: 'event', side: 0 }]);
  assert.throws(() => h.push([{ value: {}, time: 0, key: 'x' }, { value: {}, time: 0 }]), /on every record/);
});
