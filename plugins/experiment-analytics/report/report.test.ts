import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchBuilder } from 'sluice/api';
import type { ChangeKind, Row } from 'sluice/api';
import { parseOperatorConfig } from 'sluice/testing';
import { ReportData, experimentReportSink, formatReport } from './index.ts';
import { ReportSink } from './report-sink.ts';
import type { ExperimentReportConfig } from './spec.ts';

const E = 1_767_225_600_000;
const config = (raw: Record<string, unknown>) => parseOperatorConfig(experimentReportSink as never, raw) as ExperimentReportConfig;
const batch = (rows: [Row, ChangeKind?][]) => {
  const b = new BatchBuilder();
  for (const [r, k] of rows) b.push(r, 0, k ?? 'insert');
  return b.take();
};
const count = (segment: number, action: string, group: string, v: Partial<Row>): Row => ({
  row_key: `exp_1|${E}|${segment}|${action}|${group}`, experiment_id: 'exp_1', epoch_start: E, segment, action, group,
  volume: null, propensity: null, triggered: null, sum_sq: null, ...v,
});

const meta = { event_id: 'm1', experiment_id: 'exp_1', groups: ['control', 'treatment'], control: 'control', weights: { control: 0.5, treatment: 0.5 }, alpha: 0.05, n_star: 2500, actions: { click: 'up_is_good' },
  ramps: [{ ts: E, weights: { control: 0.9, treatment: 0.1 } }, { ts: E + 3_600_000, weights: { control: 0.5, treatment: 0.5 } }], effective_from: E + 3_600_000, ts: E + 3_600_000 };

void test('the report shows each segment with its planned split, labelled intervals, the gate with how far each arm is, and the alerts, once every part closed', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-report-')), 'report.txt');
  const counts = new ReportSink(config({ part: 'counts', report: 'r1', output: 'none', path }));
  const stats = new ReportSink(config({ part: 'stats', report: 'r1' }));
  const alerts = new ReportSink(config({ part: 'alerts', report: 'r1' }));
  const metadata = new ReportSink(config({ part: 'metadata', report: 'r1' }));
  await metadata.write(batch([[meta as unknown as Row]]));
  await counts.write(batch([
    [count(0, '_', 'control', { triggered: 10 })], [count(0, '_', 'treatment', { triggered: 9 })],
    [count(1, '_', 'control', { triggered: 150 })], [count(1, '_', 'treatment', { triggered: 130 })],
    [count(1, 'click', 'control', { volume: 70, propensity: 40 })], [count(1, 'click', 'treatment', { volume: 50, propensity: 20 })],
    [count(0, 'click', 'control', { volume: 2 })], [count(0, 'click', 'control', { volume: 3, propensity: 2 }), 'update'],
    [count(0, 'click', 'treatment', { volume: 4, propensity: 1 })],
  ]));
  await stats.write(batch([
    [{ row_key: 'a', experiment_id: 'exp_1', epoch_start: E, segment: 0, action: 'click', metric: 'volume', treatment: 'treatment', delta: null, lo: null, hi: null, lift: null, lift_lo: null, lift_hi: null, gated: 'too_few_users' }],
    [{ row_key: 'b', experiment_id: 'exp_1', epoch_start: E, segment: 1, action: 'click', metric: 'volume', treatment: 'treatment', delta: 0.05, lo: -0.1, hi: 0.2, lift: null, lift_lo: null, lift_hi: null, p_always_valid: 0.5, gated: 'too_few_successes' }],
    [{ row_key: 'c', experiment_id: 'exp_1', epoch_start: E, segment: 1, action: '_', metric: 'srm', treatment: '_', srm_p: 0.5, gated: null }],
    [{ row_key: 'b', experiment_id: 'exp_1', epoch_start: E, segment: 1, action: 'click', metric: 'volume', treatment: 'treatment', delta: 0.05, lo: -0.1, hi: 0.2, lift: 0.05, lift_lo: -0.02, lift_hi: 0.12, p_always_valid: 0.4, gated: null }],
  ]));
  await alerts.write(batch([[{ alert_id: 'al-1', kind: 'harm', experiment_id: 'exp_1', epoch_start: E, segment: 1, action: 'click', metric: 'volume', treatment: 'treatment', direction: 'up_is_good', p_always_valid: 0.001, ts: E + 5 }]]));
  await counts.close();
  await stats.close();
  assert.throws(() => readFileSync(path), /ENOENT/, 'printed only when every part closed');
  await alerts.close();
  await metadata.close();
  const text = readFileSync(path, 'utf8');
  assert.match(text, /^Experiment analytics: 1 experiments, 1 epochs, 8 count rows, 3 stats rows; alerts: 1 harm, 0 SRM/);
  assert.match(text, /always-valid \(1-α\) interval/, 'the legend says what the intervals are');
  assert.match(text, />= 100 triggered users \(too_few_users\)/, 'the legend names the gate and its threshold');
  assert.match(text, /exp_1 +epoch 2026-01-01 00:00Z +2 segments +groups control \(control\), treatment +α=0\.05 +N\*=2,500 per arm/);
  // Segment 0: planned 90/10, counts of that segment alone, every test gated on too few users, with what each arm lacks.
  assert.match(text, /segment 0 from 2026-01-01 00:00Z\n +planned +control 90\.0% +treatment 10\.0%\n +triggered +control 10 \(52\.6%\) +treatment 9 \(47\.4%\) +SRM n\/a\n +treatment: every test gated: too_few_users, needs >= 100 triggered users per arm: treatment 9 \(91 short\), control 10 \(90 short\)\n +click +control 3 +treatment 4\n/);
  // Segment 1: planned beside observed and SRM; the latest stats row of the test (an upsert) with both intervals labelled.
  assert.match(text, /segment 1 from 2026-01-01 01:00Z\n +planned +control 50\.0% +treatment 50\.0%\n +triggered +control 150 \(53\.6%\) +treatment 130 \(46\.4%\) +SRM p=0\.5000 \(no mismatch\)\n +click +control 70 +treatment 50\n +treatment: lift \+5\.0%, always-valid 95% interval \[-2\.0%, \+12\.0%\]; diff \+0\.0500 actions\/user \[-0\.100, \+0\.200\]; p=0\.4000\n/);
  assert.match(text, /ALERT harm: segment 1 click volume treatment up_is_good p=0\.0010 .*\(al-1\)/);
});

void test('a lift gated on successes names the threshold and each arm\'s users with the action', () => {
  const data = new ReportData();
  for (const r of [count(0, '_', 'control', { triggered: 150 }), count(0, '_', 'treatment', { triggered: 130 }), count(0, 'click', 'control', { volume: 70, propensity: 40 }), count(0, 'click', 'treatment', { volume: 50, propensity: 20 })]) data.apply('counts', r, 'insert');
  data.apply('stats', { row_key: 'b', experiment_id: 'exp_1', epoch_start: E, segment: 0, action: 'click', metric: 'volume', treatment: 'treatment', delta: 0.05, lo: -0.1, hi: 0.2, lift: null, lift_lo: null, lift_hi: null, p_always_valid: 0.5, gated: 'too_few_successes' }, 'insert');
  const text = formatReport(data, 5);
  assert.match(text, /treatment: diff \+0\.0500 actions\/user \[-0\.100, \+0\.200\]; p=0\.5000; lift gated: too_few_successes, needs >= 25 users with click per arm: treatment 20 \(5 short\), control 40\n/);
});
