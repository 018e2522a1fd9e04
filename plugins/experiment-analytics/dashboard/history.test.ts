import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DashboardHistory } from './history.ts';

const E = 1_767_225_600_000;
const key = { experiment_id: 'e', epoch_start: E };

void test('each stats update is a point at the segment\'s triggered users; alarms, SRM and the planned split are kept', () => {
  const h = new DashboardHistory(4);
  h.meta({ ...key, ts: E, control: 'c', alpha: 0.05, n_star: 100, ramps: [{ ts: E, weights: { c: 0.5, t: 0.5 } }, { ts: E + 3_600_000, weights: { c: 0.2, t: 0.8 } }] });
  const stat = (segment: number, lift: number | null) => ({ ...key, segment, action: 'click', metric: 'volume', treatment: 't', delta: lift, lo: null, hi: null, lift, lift_lo: null, lift_hi: null, p_always_valid: null, gated: lift === null ? 'too_few_users' : null });
  h.counts({ ...key, segment: 0, action: '_', group: 'c', triggered: 10 });
  h.counts({ ...key, segment: 0, action: '_', group: 't', triggered: 12 });
  h.stats(stat(0, null));
  h.stats(stat(0, 0.123456));
  h.counts({ ...key, segment: 0, action: '_', group: 't', triggered: 15 });
  h.stats(stat(0, 0.2));
  h.stats({ ...key, segment: 0, action: '_', metric: 'srm', treatment: '_', srm_p: 0.91 });
  h.alert({ ...key, segment: 0, alert_id: 'a1', kind: 'harm', action: 'click', metric: 'volume', treatment: 't', p_always_valid: 0.001, threshold: 0.01, ts: E + 5 });
  h.counts({ ...key, segment: 1, action: '_', group: 'c', triggered: 3 });
  const d = h.data(42);
  const [epoch] = d.epochs;
  assert.equal(epoch!.control, 'c');
  const [s0, s1] = epoch!.segments;
  assert.deepEqual(s0!.planned, { c: 0.5, t: 0.5 });
  assert.deepEqual(s1!.planned, { c: 0.2, t: 0.8 });
  assert.equal(s1!.start, E + 3_600_000);
  assert.deepEqual(s0!.triggered, { c: 10, t: 15 });
  const series = s0!.series[0]!;
  assert.deepEqual(series.points.map((p) => [p[0], p[4]]), [[22, 0.1235], [25, 0.2]], 'a gated look has no point; numbers kept to 4 digits');
  assert.equal(series.firstAlarm, 25);
  assert.equal(series.alarmLevel, 0.01);
  assert.deepEqual(s0!.srm, [[25, 0.91]]);
  assert.equal(epoch!.alerts[0]!.users, 25);
});

void test('a full series thins its older half and keeps the latest point', () => {
  const h = new DashboardHistory(4);
  for (let users = 1; users <= 9; users++) {
    h.counts({ ...key, segment: 0, action: '_', group: 'c', triggered: users });
    h.stats({ ...key, segment: 0, action: 'a', metric: 'volume', treatment: 't', delta: users, lift: null });
  }
  const points = h.data().epochs[0]!.segments[0]!.series[0]!.points;
  assert.ok(points.length <= 4);
  assert.equal(points[points.length - 1]![0], 9);
  assert.deepEqual(points.map((p) => p[0]), [...points.map((p) => p[0])].sort((a, b) => a - b));
});
