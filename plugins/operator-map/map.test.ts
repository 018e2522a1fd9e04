import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorTestHarness, APPEND_ONLY } from '../../core/testing/index.ts';
import type { StreamInfo } from '../../core/testing/index.ts';
import { mapPlugin } from './index.ts';
import type { MapConfig } from './spec.ts';

const prov = { source: 'orders', partition: 'a.jsonl', line: 3 };

void test('set adds and overwrites fields from the input record; kinds, times and provenance pass through', () => {
  const h = OperatorTestHarness.for(mapPlugin, { set: { total: 'amount * 2.0', amount: 'amount + 1.0', copy: 'total_in' } });
  const input = { amount: 10, total_in: 'x', keep: true };
  h.push([{ value: input, time: 5, kind: 'update', provenance: prov }, { value: { amount: 1.5, total_in: 0 }, time: 6 }]);
  assert.deepEqual(h.output(), [
    { value: { amount: 11, total_in: 'x', keep: true, total: 20, copy: 'x' }, time: 5, kind: 'update', provenance: prov },
    { value: { amount: 2.5, total_in: 0, total: 3, copy: 0 }, time: 6, kind: 'insert' },
  ]);
  assert.deepEqual(input, { amount: 10, total_in: 'x', keep: true }, 'the input record is not mutated');
});

void test('drop removes fields after set is evaluated', () => {
  const h = OperatorTestHarness.for(mapPlugin, { set: { cents: 'int(amount * 100.0)' }, drop: ['amount', 'debug', 'absent'] });
  h.push([{ value: { id: 1, amount: 2.5, debug: 'x' }, time: 1 }]);
  assert.deepEqual(h.outputValues(), [{ id: 1, cents: 250 }]);
  const only = OperatorTestHarness.for(mapPlugin, { drop: ['b'] });
  only.push([{ value: { a: 1, b: 2, c: 3 }, time: 1 }]);
  assert.deepEqual(only.outputValues(), [{ a: 1, c: 3 }]);
});

void test('project builds a new record of exactly its fields', () => {
  const h = OperatorTestHarness.for(mapPlugin, { project: { uid: 'user_id', label: 'kind + ":" + string(user_id)', whole: 'self' } });
  h.push([{ value: { user_id: 7, kind: 'click', other: 1 }, time: 1 }]);
  assert.deepEqual(h.outputValues(), [{ uid: 7, label: 'click:7', whole: { user_id: 7, kind: 'click', other: 1 } }]);
});

void test('an expression error dead-letters the record with expr_error and the others go on', () => {
  const h = OperatorTestHarness.for(mapPlugin, { set: { half: 'amount / 2.0' } });
  h.push([
    { value: { amount: 4 }, time: 1 },
    { value: { other: 1 }, time: 2, provenance: prov },
    { value: { amount: 'text' }, time: 3 },
    { value: { amount: 6 }, time: 4 },
  ]);
  assert.deepEqual(h.outputValues(), [{ amount: 4, half: 2 }, { amount: 6, half: 3 }]);
  const dead = h.deadLetters();
  assert.deepEqual(dead.map((d) => [d.reason, d.record, d.provenance]), [['expr_error', { other: 1 }, prov], ['expr_error', { amount: 'text' }, null]]);
  assert.equal(h.counter('dead_lettered'), 2);
});

void test('check rejects mixed or empty shapes', () => {
  const check = (c: object) => mapPlugin.check!(c as MapConfig).map((i) => i.message);
  assert.match(check({ project: { a: 'a' }, drop: ['b'] })[0]!, /instead of/);
  assert.match(check({})[0]!, /give/);
  assert.match(check({ set: { a: '1' }, drop: ['a'] })[0]!, /both set and dropped/);
  assert.deepEqual(check({ set: { a: '1' } }), []);
  assert.throws(() => OperatorTestHarness.for(mapPlugin, { set: { a: 'amount >' } }), /set.a: CEL: Unexpected token/);
});

const input = (extra: Partial<StreamInfo> = {}): StreamInfo => ({
  changelog: APPEND_ONLY,
  allowedLateness: 5,
  fields: { user_id: 'int', amount: 'double', kind: 'string' },
  key: ['user_id'],
  ...extra,
});

void test('plan: fields, key and lateness follow what survives', () => {
  const plan = (c: object, i = input()) => mapPlugin.plan(c as MapConfig, [i]);
  assert.deepEqual(plan({ set: { total: 'amount * 2.0' }, drop: ['kind'] }).output, {
    changelog: APPEND_ONLY, allowedLateness: 5, fields: { user_id: 'int', amount: 'double', total: 'dyn' }, key: ['user_id'],
  });
  assert.equal(plan({ set: { user_id: 'user_id + 1' } }).output.key, undefined, 'an overwritten key field loses the key');
  assert.deepEqual(plan({ set: { user_id: 'user_id' } }).output.key, ['user_id']);
  assert.deepEqual(plan({ project: { uid: 'user_id', a: 'amount * 2.0' } }).output, {
    changelog: APPEND_ONLY, allowedLateness: 5, fields: { uid: 'int', a: 'dyn' }, key: ['uid'],
  });
  assert.deepEqual(plan({ set: { uid: 'self.user_id' }, drop: ['user_id'] }).output.key, ['uid']);
  assert.deepEqual(plan({ drop: ['x'] }, input({ fields: undefined, key: ['user.id'] })).output, { changelog: APPEND_ONLY, allowedLateness: 5, key: ['user.id'] });
});

void test('plan: an upsert key must survive the map', () => {
  const upsert = input({ changelog: { mode: 'upsert', key: ['user_id', 'kind'] } });
  const ok = mapPlugin.plan({ project: { u: 'user_id', kind: 'kind', n: '1' } } as MapConfig, [upsert]);
  assert.deepEqual(ok.output.changelog, { mode: 'upsert', key: ['u', 'kind'] });
  assert.equal(ok.issues, undefined);
  const bad = mapPlugin.plan({ drop: ['kind'] } as MapConfig, [upsert]);
  assert.equal(bad.issues?.[0]?.severity, 'error');
  assert.match(bad.issues![0]!.message, /loses 'kind'/);
});
