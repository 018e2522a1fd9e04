import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineKeyedFunction, field, state } from '../../core/api/index.ts';
import type { ProvenanceRef, Row } from '../../core/api/index.ts';
import { OperatorTestHarness } from '../../core/testing/index.ts';
import { keyedProcessPlugin } from './index.ts';

interface Trigger { ts: number; group: string; row: Row; emitted: boolean; p: ProvenanceRef }

/** A small "first trigger per user per epoch", as the flagship writes it in its own plugin folder. */
const testFirstTrigger = defineKeyedFunction({
  name: 'test_first_trigger',
  summary: 'first activation per key and epoch, emitted when the watermark passes it',
  spec: field.object({ epoch: field.duration({ doc: 'Epoch length.', min: 1 }) }),
  state: () => ({ firsts: state.map<number, Trigger>() }),
  outputs: ['conflicts'],
  processElement(value, ctx) {
    if (typeof value.group !== 'string') throw new Error('activation without group');
    const epochMs = ctx.options.epoch; // parsed by the spec: milliseconds
    const epoch = Math.floor(ctx.timestamp / epochMs) * epochMs;
    const current = ctx.state.firsts.get(epoch);
    if (current?.emitted) {
      if (ctx.timestamp < current.ts) ctx.late('trigger_superseded');
      else if (value.group !== current.group) {
        ctx.count('group_conflicts');
        ctx.emitTo('conflicts', value);
      }
      return;
    }
    if (current && current.ts <= ctx.timestamp) return;
    if (current) ctx.timers.deleteEventTimeTimer(current.ts);
    ctx.state.firsts.set(epoch, { ts: ctx.timestamp, group: value.group, row: value, emitted: false, p: ctx.provenance });
    ctx.timers.registerEventTimeTimer(ctx.timestamp);
  },
  onTimer(timestamp, ctx) {
    for (const [epoch, t] of [...ctx.state.firsts.entries()]) {
      if (t.emitted || t.ts !== timestamp) continue;
      ctx.emit({ ...t.row, epoch }, timestamp, 'insert', t.p); // provenance kept in state
      ctx.state.firsts.set(epoch, { ...t, emitted: true });
    }
  },
});

const act = (user: string, ts: number, group = 'A') => ({ value: { user, group, ts }, time: ts, provenance: { source: 'acts', offset: ts } });
const config = { function: 'test_first_trigger', key: 'user', options: { epoch: '100ms' }, allowed_lateness: '50ms' };

void test('runs a keyed function: state, timers, late, named outputs and failures', async () => {
  const h = OperatorTestHarness.for(keyedProcessPlugin, config, { plugins: [testFirstTrigger] });
  h.push([act('u', 30), act('u', 20), act('v', 150), act('u', 120, 'B')]);
  h.watermark(25);
  assert.deepEqual(h.outputValues(), [{ user: 'u', group: 'A', ts: 20, epoch: 0 }]);
  assert.deepEqual(h.output()[0]!.provenance, { source: 'acts', offset: 20 });
  h.push([act('u', 10), act('u', 40, 'B'), { value: { user: 'u', ts: 41 }, time: 41 }]);
  assert.deepEqual(h.late().map((r) => r.reason), ['trigger_superseded']);
  assert.equal(h.counter('group_conflicts'), 1);
  assert.equal(h.namedOutput('conflicts').length, 1);
  assert.match(String(h.deadLetters()[0]!.error), /without group/);
  h.watermark(200);
  h.push([act('w', 149)]); // 149 < 200 − 50: late for the block
  assert.equal(h.late()[1]!.reason, 'process_late');

  const r = await OperatorTestHarness.for(keyedProcessPlugin, { ...config, function: testFirstTrigger }).restore(await h.snapshot());
  r.push([act('u', 160, 'C')]); // u's epoch 100 trigger (120, B) was emitted at 200: C conflicts
  r.endOfInput();
  assert.equal(r.counter('group_conflicts'), 2);
  assert.deepEqual(h.outputValues().map((v) => [v.user, v.ts]), [['u', 20], ['u', 120], ['v', 150]]);
});

void test('an unknown function, and options its spec rejects, are config errors', () => {
  assert.throws(() => OperatorTestHarness.for(keyedProcessPlugin, { function: 'nope' }, { plugins: [testFirstTrigger] }), /unknown keyed_function plugin "nope"/);
  assert.throws(() => OperatorTestHarness.for(keyedProcessPlugin, { function: testFirstTrigger, options: { epoch: 'soon' } }), /options\.epoch: expected a duration/);
  assert.throws(() => OperatorTestHarness.for(keyedProcessPlugin, { function: testFirstTrigger, options: {} }), /options: missing required key "epoch"/);
});
