import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorTestHarness, APPEND_ONLY } from '../../core/testing/index.ts';
import type { StreamInfo } from '../../core/testing/index.ts';
import { routePlugin } from './index.ts';
import type { RouteConfig } from './spec.ts';

const routes = { clicks: 'action == "click"', big: 'amount > 100.0' };
const records = [
  { value: { action: 'click', amount: 500 }, time: 1 },
  { value: { action: 'save', amount: 500 }, time: 2, kind: 'update' as const, provenance: { source: 's', line: 2 } },
  { value: { action: 'view', amount: 1 }, time: 3 },
  { value: { action: 'click', amount: 2 }, time: 4 },
];
const values = (h: OperatorTestHarness, name: string) => h.namedOutput(name).map((r) => r.value);

void test('mode first sends each record to the first matching route; unmatched ones to the main output', () => {
  const h = OperatorTestHarness.for(routePlugin, { routes }).push(records);
  assert.deepEqual(values(h, 'clicks'), [records[0]!.value, records[3]!.value]);
  assert.deepEqual(h.namedOutput('big'), [{ value: records[1]!.value, time: 2, kind: 'update', provenance: { source: 's', line: 2 } }]);
  assert.deepEqual(h.outputValues(), [records[2]!.value]);
  assert.equal(h.counter('unrouted'), 1);
});

void test('mode all sends a record to every matching route; default catches the rest', () => {
  const h = OperatorTestHarness.for(routePlugin, { routes, mode: 'all', default: 'rest' }).push(records);
  assert.deepEqual(values(h, 'clicks'), [records[0]!.value, records[3]!.value]);
  assert.deepEqual(values(h, 'big'), [records[0]!.value, records[1]!.value]);
  assert.deepEqual(values(h, 'rest'), [records[2]!.value]);
  assert.deepEqual(h.output(), []);
});

void test('a default that names a route adds the unmatched records to it', () => {
  const h = OperatorTestHarness.for(routePlugin, { routes, default: 'big' }).push(records);
  assert.deepEqual(values(h, 'big'), [records[1]!.value, records[2]!.value]);
});

void test('an erroring or non-boolean predicate dead-letters the record and sends it nowhere', () => {
  const h = OperatorTestHarness.for(routePlugin, { routes: { first: 'amount > 1.0', second: 'extra' }, mode: 'all' });
  h.push([
    { value: { amount: 5 }, time: 1 },
    { value: { amount: 5, extra: 'yes' }, time: 2 },
    { value: { amount: 5, extra: true }, time: 3 },
    { value: { amount: 0, extra: false }, time: 4 },
  ]);
  assert.deepEqual(values(h, 'first'), [{ amount: 5, extra: true }]);
  assert.deepEqual(values(h, 'second'), [{ amount: 5, extra: true }]);
  assert.deepEqual(h.outputValues(), [{ amount: 0, extra: false }]);
  assert.deepEqual(h.deadLetters().map((d) => [d.reason, (d.record as { amount: number }).amount]), [['expr_error', 5], ['expr_error', 5]]);
  assert.match(String(h.deadLetters()[1]!.error), /must be true or false/);
});

void test('plan declares every route and the default as named outputs of the input stream', () => {
  const input: StreamInfo = { changelog: APPEND_ONLY, allowedLateness: 3, key: ['u'], fields: { u: 'int' } };
  const plan = routePlugin.plan({ routes, mode: 'first', default: 'other' } as RouteConfig, [input]);
  assert.deepEqual(plan, { output: input, outputs: { clicks: input, big: input, other: input } });
  assert.match(routePlugin.check!({ routes: {}, mode: 'first' } as RouteConfig)[0]!.message, /at least one/);
});
