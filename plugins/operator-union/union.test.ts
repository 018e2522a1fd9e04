import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperatorTestHarness, APPEND_ONLY } from '../../core/testing/index.ts';
import type { StreamInfo } from '../../core/testing/index.ts';
import { unionPlugin } from './index.ts';

const append = (extra: Partial<StreamInfo> = {}): StreamInfo => ({ changelog: APPEND_ONLY, allowedLateness: 0, ...extra });

void test('records of every input pass through in arrival order, with kinds and provenance', () => {
  const h = OperatorTestHarness.for(unionPlugin, {}, { inputs: [append(), append(), append()] });
  const p = { source: 'b', line: 1 };
  h.push([{ value: { a: 1 }, time: 1 }], 0);
  h.push([{ value: { b: 1 }, time: 9, kind: 'update', provenance: p }], 1);
  h.push([{ value: { c: 1 }, time: 5 }, { value: { c: 2 }, time: 4 }], 2);
  assert.deepEqual(h.output(), [
    { value: { a: 1 }, time: 1, kind: 'insert' },
    { value: { b: 1 }, time: 9, kind: 'update', provenance: p },
    { value: { c: 1 }, time: 5, kind: 'insert' },
    { value: { c: 2 }, time: 4, kind: 'insert' },
  ]);
});

void test('the watermark is the minimum of the inputs', () => {
  const h = OperatorTestHarness.for(unionPlugin, {}, { inputs: [append(), append()] });
  h.watermark(100, 0);
  assert.equal(h.currentWatermark, Number.NEGATIVE_INFINITY);
  h.watermark(40, 1);
  assert.equal(h.currentWatermark, 40);
  h.watermark(200, 1);
  assert.equal(h.currentWatermark, 100);
});

void test('plan: one changelog required; common key kept; fields merged; largest lateness', () => {
  const a = append({ key: ['u'], fields: { u: 'int', x: 'string' }, allowedLateness: 10 });
  const b = append({ key: ['u'], fields: { u: 'int', x: 'int', y: 'bool' }, allowedLateness: 30 });
  assert.deepEqual(unionPlugin.plan({}, [a, b]), {
    output: { changelog: APPEND_ONLY, allowedLateness: 30, key: ['u'], fields: { u: 'int', x: 'dyn', y: 'bool' } },
  });
  assert.equal(unionPlugin.plan({}, [a, append({ key: ['v'] })]).output.key, undefined);
  assert.equal(unionPlugin.plan({}, [a, append()]).output.fields, undefined);
  const upsert = (key: string[]): StreamInfo => ({ changelog: { mode: 'upsert', key }, allowedLateness: 0 });
  assert.equal(unionPlugin.plan({}, [upsert(['k']), upsert(['k'])]).issues, undefined);
  assert.match(unionPlugin.plan({}, [upsert(['k']), upsert(['j'])]).issues![0]!.message, /upsert on \[j\] but input 0 is upsert on \[k\]/);
  assert.match(unionPlugin.plan({}, [a, upsert(['k'])]).issues![0]!.message, /one changelog/);
});
