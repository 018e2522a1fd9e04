/**
 * The golden test of the flagship pipeline: the real `pipelines/experiment_analytics.yaml`
 * (embedded profile, sinks collected in process) on a small event file written by hand
 * (golden-events.jsonl: each line says why it is there), with out-of-order, late,
 * duplicate-activation, group-conflict, untracked, unknown-experiment, segment and re-ramp
 * cases. The expected rows below are worked out by hand from docs/architecture.md §8.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Row } from '../../core/api/index.ts';
import { compilePipeline } from '../../core/runtime/graph/index.ts';
import { registryForPipelines } from '../../core/runtime/plugins/index.ts';
import { materialize, runPipelineInProcess } from '../../core/testing/index.ts';
import type { PipelineInput } from '../../core/runtime/engine/in-process.ts';

const root = join(import.meta.dirname, '..', '..');
const file = join(root, 'pipelines', 'experiment_analytics.yaml');
const L = 1_767_225_600_000;
const E2 = L + 4 * 86_400_000;

function events(): PipelineInput {
  return readFileSync(join(import.meta.dirname, 'golden-events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { output: string; record?: Row; watermark?: number })
    .map((e) => (e.watermark !== undefined ? { watermark: e.watermark, output: e.output } : { value: e.record!, time: e.record!.ts as number, output: e.output }));
}

void test('golden: the flagship pipeline counts a hand-made event file exactly as worked out by hand', async () => {
  const env = { ...process.env, RUN_ID: 'golden' };
  const { registry } = await registryForPipelines([file], { cwd: root, env });
  const { pipeline, issues } = compilePipeline({ file, env, plugins: registry, profile: 'embedded' });
  assert.ok(pipeline, issues.map((i) => i.message).join('\n'));
  const out = await runPipelineInProcess(pipeline, { traffic: events() });

  const rows = materialize(out.sinks.counts_store!, { mode: 'upsert', key: ['row_key'] });
  const got = Object.fromEntries([...rows.values()].map((r) => [r.row_key as string, [r.volume, r.propensity, r.sum_sq, r.triggered]]));
  assert.deepEqual(got, {
    // epoch L, segment 0: first triggers u1 (c, a1), u2 (t), u3 (c, a5 the earlier), u4 (c, a7).
    [`exp_a|${L}|0|_|c`]: [null, null, null, 3],
    [`exp_a|${L}|0|_|t`]: [null, null, null, 1],
    // u1 clicks x1, x2, x8 (delayed, within the allowance), x11 (a day later); u3 clicks x6.
    [`exp_a|${L}|0|click|c`]: [5, 2, 4 * 4 + 1 * 1, null],
    [`exp_a|${L}|0|save|c`]: [1, 1, 1, null],
    // segment 1 (ramp at L+1d): u6 (t) clicks x9 and x12; x13 is after the epoch end.
    [`exp_a|${L}|1|_|t`]: [null, null, null, 1],
    [`exp_a|${L}|1|click|t`]: [2, 1, 4, null],
    // the re-ramp at L+4d opens a new epoch: u1 is triggered again and clicks x14.
    [`exp_a|${E2}|0|_|c`]: [null, null, null, 1],
    [`exp_a|${E2}|0|click|c`]: [1, 1, 1, null],
  });

  const late = out.late.map((r) => [r.value.operator, r.value.reason, (r.value.record as Row).event_id]);
  assert.deepEqual(late.sort(), [
    ['activations_unique', 'dedupe_late', 'a9'],
    ['first_triggers', 'trigger_superseded', 'a8'],
    ['user_counts', 'join_late', 'x7'],
  ]);
  assert.deepEqual(out.deadLetter.map((r) => [r.value.reason, (r.value.record as Row).event_id]), [['unknown_metadata', 'a14']]);
  const counters = out.result.stages;
  assert.equal(counters.activations_unique?.counters?.duplicates, 1);
  assert.equal(counters.first_triggers?.counters?.group_conflicts, 1);
  assert.equal(counters.first_triggers?.counters?.untracked_triggers, 1);
  // every row carries the operator's watermark when it was written
  assert.ok([...rows.values()].every((r) => r.watermark_ms === null || typeof r.watermark_ms === 'number'));
});
