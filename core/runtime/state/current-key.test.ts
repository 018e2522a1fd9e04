/** The runtime owns the current key: per record, per timer, inside `ctx.forKeys`, nowhere else. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APPEND_ONLY, ManualClock, definePlugin, field, state } from '../../api/index.ts';
import type { KeyVisitor } from '../../api/index.ts';
import { createExpressionCompiler } from '../expr/index.ts';
import { MemoryStateBackend } from './memory-backend.ts';
import { OperatorHost } from './operator-host.ts';

const seen: string[] = [];

/** Input 0 keyed by `u` (processRecord); input 1 unkeyed (processBatch), revisiting keys named in `wake`. */
const probe = definePlugin({
  kind: 'operator', name: 'test_probe', summary: 'test operator',
  spec: field.object({}), inputs: { min: 2, max: 2 }, keyed: true,
  state: () => ({ n: state.value<number>({ ttl: { ms: 10, on: 'event' } }) }),
  plan: () => ({ keys: [['u'], undefined], broadcastInputs: [1], output: { changelog: APPEND_ONLY, allowedLateness: 0 } }),
  create({ state: s }) {
    const bump: KeyVisitor = (i, ctx) => {
      seen.push(`visit ${i} ${ctx.currentKey}`);
      s.n.set((s.n.get() ?? 0) + 100);
    };
    return {
      processRecord(batch, i, _input, ctx) {
        seen.push(`record ${i} ${ctx.currentKey}`);
        s.n.set((s.n.get() ?? 0) + 1);
      },
      endBatch(_batch, _input, ctx) {
        seen.push(`end ${String(ctx.currentKey)}`);
        assert.throws(() => s.n.get(), /no current key/);
      },
      processBatch(batch, _input, ctx) {
        seen.push(`batch ${String(ctx.currentKey)}`);
        assert.throws(() => ctx.timers.registerEventTimeTimer(1), /no current key/);
        ctx.forKeys(batch.values.map((v) => v.wake as string | undefined), batch.times, bump);
        seen.push(`after ${String(ctx.currentKey)}`);
      },
      onTimer() {},
    };
  },
});

const host = () => new OperatorHost({
  definition: probe, config: {}, id: 'p', backend: new MemoryStateBackend(), expressions: createExpressionCompiler(),
  inputs: [{ changelog: APPEND_ONLY, allowedLateness: 0 }, { changelog: APPEND_ONLY, allowedLateness: 0 }], clock: new ManualClock(),
});

const rows = (values: Record<string, unknown>[], t = 5) => ({ length: values.length, values, times: values.map(() => t) });

void test('the host sets each record\'s key, none outside; ctx.forKeys scopes state to each key it visits', () => {
  seen.length = 0;
  const h = host();
  h.processBatch(rows([{ u: 'a' }, { u: 'b' }, { u: 'a' }]), 0);
  h.processBatch(rows([{ wake: 'a' }, {}, { wake: 'c' }]), 1);
  assert.deepEqual(seen, ['record 0 a', 'record 1 b', 'record 2 a', 'end undefined', 'batch undefined', 'visit 0 a', 'visit 2 c', 'after undefined']);
  assert.deepEqual(h.stateStats().keys, 3);
  // forKeys' times set the event time that TTL counts from: c (written at 5, ttl 10) is gone at 16.
  h.advanceWatermark(16);
  assert.equal(h.stateStats().keys, 0);
});
