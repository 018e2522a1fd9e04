import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APPEND_ONLY, ManualClock, definePlugin, field, state } from '../../api/index.ts';
import { createExpressionCompiler } from '../expr/index.ts';
import { KeyBudgetExceeded, keyBudget } from './key-budget.ts';
import { MemoryStateBackend } from './memory-backend.ts';
import { OperatorHost } from './operator-host.ts';

/** Keeps one value per key `u`; drops a key's state when its record says `drop`. */
const keeper = definePlugin({
  kind: 'operator', name: 'test_keeper', summary: 'test operator',
  spec: field.object({}), inputs: { min: 1, max: 1 }, keyed: true,
  state: () => ({ seen: state.value<boolean>() }),
  plan: () => ({ keys: [['u']], output: { changelog: APPEND_ONLY, allowedLateness: 0 } }),
  create({ state: s }) {
    return {
      processRecord(batch, i) {
        if (batch.values[i]!.drop) s.seen.clear();
        else s.seen.set(true);
      },
    };
  },
});

const host = (maxKeys: number) => new OperatorHost({
  definition: keeper, config: {}, id: 'k', backend: new MemoryStateBackend(), expressions: createExpressionCompiler(),
  inputs: [{ changelog: APPEND_ONLY, allowedLateness: 0 }], clock: new ManualClock(), maxKeys,
});
const rows = (us: string[], drop = false) => ({ length: us.length, values: us.map((u) => ({ u, ...(drop ? { drop } : {}) })), times: us.map(() => 0) });

void test('an operator over its key budget fails after the batch, naming itself, its keys and the setting', () => {
  const h = host(3);
  h.processBatch(rows(['a', 'b', 'c']), 0);
  h.processBatch(rows(['a', 'c']), 0);
  h.processBatch(rows(['c'], true), 0);
  h.processBatch(rows(['d']), 0); // back to 3 keys: at the budget, not over
  assert.throws(() => h.processBatch(rows(['e', 'f']), 0), (e: unknown) => e instanceof KeyBudgetExceeded && e.code === 'E_STATE_BUDGET' &&
    e.keys === 5 && e.message === "operator 'k' holds 5 keys in keyed state, over its budget of 3 (setting state.max_keys, variable SLUICE_STATE_MAX_KEYS)");
});

void test('no budget (0) never checks', () => {
  const h = host(0);
  h.processBatch(rows(Array.from({ length: 1000 }, (_, i) => `u${i}`)), 0);
  let calls = 0;
  keyBudget('x', 0, () => ++calls)();
  assert.equal(calls, 0);
});
