// `experiment_stats` on the real flagship chain: pipelines/experiment_analytics.yaml
// (embedded profile, sinks collected in process) over generated traffic with the default
// effects and sample-ratio mismatch. Checks the look contract end to end — every counts
// row the chain emits is exactly one look (an action row re-reads 2 metrics × treatments
// stats rows, a trigger row the SRM row) — that no counts row is dead-lettered or late at
// the stats operator, and that every alert is unique.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Row } from '../../core/api/index.ts';
import { compilePipeline } from '../../core/runtime/graph/index.ts';
import { registryForPipelines } from '../../core/runtime/plugins/index.ts';
import { runPipelineInProcess } from '../../core/testing/index.ts';

const root = join(import.meta.dirname, '..', '..');
const file = join(root, 'pipelines', 'experiment_analytics.yaml');
const EVENTS = 100_000;

void test('real chain: every counts update is one look, nothing is lost at the stats operator', async (t) => {
  const env = { ...process.env, RUN_ID: 'stats-long', SEED: '7' };
  const { registry } = await registryForPipelines([file], { cwd: root, env });
  const { pipeline, issues } = compilePipeline({ file, env, plugins: registry, profile: 'embedded' });
  assert.ok(pipeline, issues.map((i) => i.message).join('\n'));
  // Compaction off: the contract checked here is the operator's, one look per counts row it
  // receives, and compacted stats rows would hide looks (test/engine/mini-batch.test.ts covers
  // compaction; the A/A and known-effect suites run with it).
  const out = await runPipelineInProcess(pipeline, {}, { maxEvents: EVENTS, miniBatch: { maxRows: 0 } });

  const treatments = new Map<string, number>();
  for (const r of out.sinks.archive_metadata!) {
    const meta = (r.value.record ?? r.value) as Row;
    treatments.set(meta.experiment_id as string, (meta.groups as string[]).length - 1);
  }
  const counts = out.sinks.counts_store!.map((r) => r.value);
  const stats = out.sinks.stats_store!.map((r) => r.value);
  const alerts = out.sinks.alerts_file!.map((r) => r.value);
  let expected = 0;
  for (const c of counts) expected += c.action === '_' ? 1 : 2 * treatments.get(c.experiment_id as string)!;
  const computed = stats.filter((s) => typeof s.delta === 'number').length;
  t.diagnostic(`${counts.length} counts updates → ${stats.length} stats rows (${computed} past the gate), ${alerts.length} alerts: ` +
    alerts.map((a) => `${a.kind} ${a.experiment_id} ${a.action}/${a.metric}`).join(', '));

  assert.ok(counts.length > 1000, `only ${counts.length} counts updates`);
  assert.equal(stats.length, expected);
  assert.ok(computed > 0);
  assert.deepEqual(out.deadLetter.filter((d) => d.value.operator === 'stats').map((d) => d.value.reason), []);
  assert.deepEqual(out.late.filter((d) => d.value.operator === 'stats').map((d) => d.value.reason), []);
  assert.equal(new Set(alerts.map((a) => a.alert_id)).size, alerts.length);
  // Looks count up by one per update of each stats row.
  const last = new Map<string, number>();
  for (const s of stats) {
    const key = s.row_key as string;
    assert.equal(s.looks, (last.get(key) ?? 0) + 1, key);
    last.set(key, s.looks as number);
  }
});
