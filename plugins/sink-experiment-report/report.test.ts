import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchBuilder } from '../../core/api/index.ts';
import type { ChangeKind, Row } from '../../core/api/index.ts';
import { parseOperatorConfig } from '../../core/testing/index.ts';
import { experimentReportSink } from './index.ts';
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

void test('the report sums counts over segments, shows the latest segment\'s lift and SRM, and the alerts, once every part closed', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-report-')), 'report.txt');
  const counts = new ReportSink(config({ part: 'counts', report: 'r1', output: 'none', path }));
  const stats = new ReportSink(config({ part: 'stats', report: 'r1' }));
  const alerts = new ReportSink(config({ part: 'alerts', report: 'r1' }));
  await counts.write(batch([
    [count(0, '_', 'control', { triggered: 10 })], [count(0, '_', 'treatment', { triggered: 9 })],
    [count(1, '_', 'control', { triggered: 5 })], [count(1, 'click', 'control', { volume: 7 })],
    [count(0, 'click', 'control', { volume: 2 })], [count(0, 'click', 'control', { volume: 3 }), 'update'],
    [count(0, 'click', 'treatment', { volume: 4 })],
  ]));
  await stats.write(batch([
    [{ row_key: 'a', experiment_id: 'exp_1', epoch_start: E, segment: 0, action: 'click', metric: 'volume', treatment: 'treatment', lift: 0.5, lift_lo: 0.1, lift_hi: 0.9, gated: null }],
    [{ row_key: 'b', experiment_id: 'exp_1', epoch_start: E, segment: 1, action: 'click', metric: 'volume', treatment: 'treatment', lift: 0.05, lift_lo: -0.02, lift_hi: 0.12, gated: null }],
    [{ row_key: 'c', experiment_id: 'exp_1', epoch_start: E, segment: 1, action: '_', metric: 'srm', treatment: '_', srm_p: 0.5, gated: null }],
  ]));
  await alerts.write(batch([[{ alert_id: 'al-1', kind: 'harm', experiment_id: 'exp_1', epoch_start: E, segment: 1, action: 'click', metric: 'volume', treatment: 'treatment', direction: 'up_is_good', p_always_valid: 0.001, ts: E + 5 }]]));
  await counts.close();
  await stats.close();
  assert.throws(() => readFileSync(path), /ENOENT/, 'printed only when every part closed');
  await alerts.close();
  const text = readFileSync(path, 'utf8');
  assert.match(text, /^Experiment analytics: 1 experiments, 1 epochs, 6 count rows, 3 stats rows; alerts: 1 harm, 0 SRM/);
  assert.match(text, /groups control \(control\), treatment/);
  assert.match(text, /triggered +control 15 +treatment 9 +SRM p=0\.5000/);
  assert.match(text, /click +control 10 +treatment 4 +treatment: lift \+5\.0% \[-2\.0%, \+12\.0%\]/);
  assert.match(text, /ALERT harm: click volume treatment up_is_good p=0\.0010 .*\(al-1\)/);
});
