import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorTestHarness, APPEND_ONLY } from '../../core/testing/index.ts';
import type { StreamInfo } from '../../core/testing/index.ts';
import { keyByPlugin } from './index.ts';
import type { KeyByConfig } from './spec.ts';

void test('records pass through unchanged (same objects, kinds, times, provenance)', () => {
  const h = OperatorTestHarness.for(keyByPlugin, { key: ['user.id', 'kind'] });
  const a = { user: { id: 1 }, kind: 'x' };
  const prov = { source: 's', line: 2 };
  h.push([{ value: a, time: 3, kind: 'delete', provenance: prov }, { value: { user: { id: 0 }, kind: '' }, time: 4 }]);
  assert.equal(h.output()[0]!.value, a);
  assert.deepEqual(h.output(), [
    { value: a, time: 3, kind: 'delete', provenance: prov },
    { value: { user: { id: 0 }, kind: '' }, time: 4, kind: 'insert' },
  ]);
});

void test('a record without a key value is dead-lettered with missing_key', () => {
  const h = OperatorTestHarness.for(keyByPlugin, { key: 'user_id' });
  h.push([{ value: { user_id: 1 }, time: 1 }, { value: { other: 1 }, time: 2 }, { value: { user_id: null }, time: 3 }, { value: { user_id: false }, time: 4 }]);
  assert.deepEqual(h.outputValues(), [{ user_id: 1 }, { user_id: false }]);
  assert.deepEqual(h.deadLetters().map((d) => [d.reason, d.error]), [['missing_key', "key field 'user_id' is missing"], ['missing_key', "key field 'user_id' is missing"]]);
});

void test('plan sets the output key, keeps everything else, and checks fields it knows', () => {
  const input: StreamInfo = { changelog: { mode: 'upsert', key: ['id'] }, allowedLateness: 7, fields: { id: 'int', user: 'map' } };
  assert.deepEqual(keyByPlugin.plan({ key: 'user.id' } as KeyByConfig, [input]).output, { ...input, key: ['user.id'] });
  assert.deepEqual(keyByPlugin.plan({ key: ['id'] } as KeyByConfig, [{ changelog: APPEND_ONLY, allowedLateness: 0 }]).output, {
    changelog: APPEND_ONLY, allowedLateness: 0, key: ['id'],
  });
  assert.match(keyByPlugin.plan({ key: ['nope'] } as KeyByConfig, [input]).issues![0]!.message, /not a field/);
  assert.match(keyByPlugin.check!({ key: ['a', 'a'] })[0]!.message, /twice/);
});
