/** `runPipelineInProcess`: inputs per source as records and watermarks; outputs per sink, late and dead letter. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inputPolls, runPipelineInProcess } from '../../core/runtime/engine/index.ts';
import { compileYaml } from './fixtures.ts';
import { tumbleCount } from './test-operators.ts';

const PIPELINE = `
name: in_process
sources:
  s:
    scripted: { script: unused }
    event_time: { field: ts, max_out_of_orderness: 0s }
operators:
  per_key:
    input: s
    tumble_count: { key: k, size: 10ms }
sinks:
  out:
    input: per_key
    collect: { name: unused }
`;

void test('records and explicit watermarks drive windows; late and failing records are collected', async () => {
  const out = await runPipelineInProcess(compileYaml(PIPELINE, [tumbleCount]), {
    s: [
      { value: { k: 'a', ts: 1 } },
      { value: { k: 'a', ts: 4 } },
      { value: { k: 'b', ts: 2 } },
      { watermark: 20 },
      { value: { k: 'a', ts: 5 } },
      { value: { k: 'a', ts: 'nope' } },
      { value: { k: 'b', ts: 25, fail: true } },
      { value: { k: 'b', ts: 26 } },
    ],
  });
  assert.deepEqual(
    out.sinks.out!.map((r) => r.value),
    [
      { key: 'a', window_end: 10, count: 2 },
      { key: 'b', window_end: 10, count: 1 },
      { key: 'b', window_end: 30, count: 1 },
    ],
  );
  assert.deepEqual(out.sinks.out!.map((r) => r.time), [9, 9, 29]);
  assert.deepEqual(out.late.map((r) => [r.value.reason, r.value.watermark, (r.value.record as { ts: number }).ts]), [['window_closed', 20, 5]]);
  assert.deepEqual(out.deadLetter.map((r) => r.value.reason).sort(), ['asked_to_fail', 'bad_event_time']);
  assert.equal(out.result.status, 'finished');
});

void test('inputs are grouped into polls that end at watermarks', () => {
  const polls = inputPolls([{ value: { a: 1 }, time: 5 }, { value: { a: 2 }, partition: 1 }, { watermark: 7 }, { value: { a: 3 } }]);
  assert.equal(polls.length, 2);
  assert.deepEqual(polls[0], [
    { partition: 0, values: [{ a: 1 }], times: [5], watermark: 7 },
    { partition: 1, values: [{ a: 2 }] },
  ]);
  assert.deepEqual(polls[1], [{ partition: 0, values: [{ a: 3 }] }]);
});

void test('an input for an unknown source is an error', async () => {
  await assert.rejects(runPipelineInProcess(compileYaml(PIPELINE, [tumbleCount]), { nope: [] }), /source 'nope'/);
});
